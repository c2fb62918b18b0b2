import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { INGEST_LIMITS, type ChunkMeta } from '@duet/protocol';
import { IngestError } from '@duet/core';

const gunzip = promisify(gunzipCb);

/**
 * A chunk's payload as it is stored: gzip screen chunks (the recorder compresses in a worker, 5–10×
 * less to upload and to keep in the agent's outbox) are decompressed here, so everything after
 * ingest (the chunk table, finalize, the privacy checks) sees the JSON as before. The output is
 * bounded like an uncompressed chunk: a small payload that inflates beyond `maxChunkBytes` is
 * refused before it is held in memory, and so is anything that is not gzip.
 */
export async function decodeChunkPayload(meta: ChunkMeta, payload: Uint8Array): Promise<Uint8Array> {
  if (meta.contentEncoding !== 'gzip') return payload;
  try {
    return await gunzip(payload, { maxOutputLength: INGEST_LIMITS.maxChunkBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new IngestError('limit_exceeded', `A chunk may carry at most ${INGEST_LIMITS.maxChunkBytes} bytes once decompressed; send smaller chunks.`, 'maxChunkBytes');
    }
    throw new IngestError('invalid_payload', `The chunk says contentEncoding "gzip" but its payload is not valid gzip (${(err as Error).message}); send it compressed whole, or without contentEncoding.`);
  }
}
