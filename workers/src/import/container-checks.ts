/**
 * Truncation checks a decoder cannot make: a WAV cut at a sample boundary or an Ogg cut at a page
 * boundary decodes without a single error, just shorter. Both containers say how they should end
 * (the WAV data chunk's size, the Ogg end-of-stream page), so the bytes are checked against that.
 * Pure: they take the bytes a caller read.
 */

export type ContainerCheck = { ok: true } | { ok: false; reason: string };

/** WAV: the data chunk must be whole. `head` is the file's start (64 KB is plenty), `fileSize` its length. */
export function checkWavComplete(head: Uint8Array, fileSize: number): ContainerCheck {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length < 12 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE') return { ok: false, reason: 'not a RIFF/WAVE file' };
  let at = 12;
  while (at + 8 <= b.length) {
    const id = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'data') {
      // 0 and 0xFFFFFFFF mean "unknown" (a stream written before its length was known): nothing to check.
      if (size === 0 || size === 0xffffffff) return { ok: true };
      const have = fileSize - (at + 8);
      if (have < size) return { ok: false, reason: `the WAV is truncated: its header announces ${size} bytes of audio but only ${have} are present` };
      return { ok: true };
    }
    at += 8 + size + (size % 2); // chunks are word-aligned
  }
  if (at + 8 > fileSize) return { ok: false, reason: 'the WAV is truncated: it ends before its audio (data) chunk' };
  return { ok: true }; // the data chunk lies past the bytes read: left to the decoder
}

/** Ogg: the last page must be whole and mark the end of its stream. `tail` is the file's last 64 KB or more. */
export function checkOggComplete(tail: Uint8Array): ContainerCheck {
  const b = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength);
  // Pages are at most 65,307 bytes; look backwards for a page header whose page ends exactly at EOF.
  for (let at = b.lastIndexOf('OggS'); at >= 0; at = at > 0 ? b.lastIndexOf('OggS', at - 1) : -1) {
    if (at + 27 > b.length || b[at + 4] !== 0) continue;
    const segments = b[at + 26]!;
    if (at + 27 + segments > b.length) continue;
    let body = 0;
    for (let i = 0; i < segments; i++) body += b[at + 27 + i]!;
    const end = at + 27 + segments + body;
    if (end !== b.length) continue;
    const eos = (b[at + 5]! & 0x04) !== 0;
    return eos ? { ok: true } : { ok: false, reason: 'the Ogg file is truncated: its last page does not end the stream' };
  }
  return { ok: false, reason: 'the Ogg file is truncated: it ends inside a page' };
}
