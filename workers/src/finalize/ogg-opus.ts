/**
 * Ogg/Opus packets in and out (RFC 3533, RFC 7845), so the timeline audio can be assembled packet
 * by packet with every sample's position known. ffmpeg still parses the recorder's WebM; this only
 * reads the Ogg files it remuxes that into, and writes the final one.
 */

/** What the OpusHead says and the audio packets after the two header packets. */
export interface OggOpus {
  channels: number;
  /** samples (48 kHz) the decoder drops at the start of the stream */
  preSkip: number;
  packets: Buffer[];
  /**
   * Per packet, the granule position of the page it ends when it is the last packet ended there
   * (the timestamp of its end, from the muxer), else null.
   */
  granules: (number | null)[];
}

const CAPTURE = Buffer.from('OggS');

/** Samples (at 48 kHz) one Opus packet decodes to, from its TOC byte (RFC 6716 §3.1). */
export function opusPacketSamples(packet: Uint8Array): number {
  if (packet.length < 1) throw new Error('empty Opus packet');
  const toc = packet[0]!;
  const config = toc >> 3;
  let frame: number;
  if (config < 12) frame = [480, 960, 1920, 2880][config % 4]!; // SILK 10/20/40/60 ms
  else if (config < 16) frame = [480, 960][config % 2]!; // hybrid 10/20 ms
  else frame = [120, 240, 480, 960][config % 4]!; // CELT 2.5/5/10/20 ms
  const code = toc & 3;
  let frames = code === 0 ? 1 : 2;
  if (code === 3) {
    if (packet.length < 2) throw new Error('Opus code-3 packet without a frame count');
    frames = packet[1]! & 0x3f;
  }
  return frame * frames;
}

/** Reads a single-stream Ogg/Opus file: its OpusHead and its audio packets, in order. */
export function readOggOpus(bytes: Buffer): OggOpus {
  const packets: Buffer[] = [];
  const granules: (number | null)[] = [];
  let pending: Buffer[] = [];
  let serial: number | null = null;
  let pos = 0;
  while (pos + 27 <= bytes.length) {
    if (!bytes.subarray(pos, pos + 4).equals(CAPTURE)) throw new Error(`Ogg: no page at byte ${pos}`);
    const pageSerial = bytes.readUInt32LE(pos + 14);
    serial ??= pageSerial;
    const segments = bytes[pos + 26]!;
    const lacing = bytes.subarray(pos + 27, pos + 27 + segments);
    let data = pos + 27 + segments;
    if (pageSerial !== serial) throw new Error('Ogg: more than one logical stream');
    const granule = Number(bytes.readBigInt64LE(pos + 6));
    let start = data;
    let lastEnded = -1;
    for (const l of lacing) {
      data += l;
      if (l < 255) {
        pending.push(bytes.subarray(start, data));
        packets.push(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
        granules.push(null);
        lastEnded = packets.length - 1;
        pending = [];
        start = data;
      }
    }
    if (lastEnded >= 0 && granule >= 0) granules[lastEnded] = granule;
    if (start < data) pending.push(bytes.subarray(start, data));
    pos = data;
  }
  const head = packets[0];
  if (!head || head.subarray(0, 8).toString('latin1') !== 'OpusHead') throw new Error('Ogg: not an Opus stream');
  if (packets[1]?.subarray(0, 8).toString('latin1') !== 'OpusTags') throw new Error('Ogg/Opus: no OpusTags packet');
  if (head[18] !== 0) throw new Error(`Ogg/Opus: channel mapping family ${head[18]} is not supported`);
  return { channels: head[9]!, preSkip: head.readUInt16LE(10), packets: packets.slice(2), granules: granules.slice(2) };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const b of page) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc;
}

/** A fixed serial number: the same input gives the same bytes (idempotent jobs). */
const SERIAL = 0x44756574; // "Duet"
const PAGE_SAMPLES = 48_000; // about one page per second of audio, as ffmpeg's muxer does

function page(packets: readonly Buffer[], granule: bigint, sequence: number, flags: number): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let n = p.length; ; n -= 255) {
      lacing.push(Math.min(n, 255));
      if (n < 255) break;
    }
  }
  if (lacing.length > 255) throw new Error('Ogg: page with more than 255 segments');
  const header = Buffer.alloc(27 + lacing.length);
  CAPTURE.copy(header, 0);
  header[4] = 0;
  header[5] = flags;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(SERIAL, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  Buffer.from(lacing).copy(header, 27);
  const out = Buffer.concat([header, ...packets]);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

const segmentsOf = (p: Buffer) => Math.floor(p.length / 255) + 1;

/**
 * Writes an Ogg/Opus file whose granule positions count every sample of `packets` (so seeking is
 * exact), with `preSkip` samples dropped at the start and, when `endGranule` is below the total,
 * the last packet trimmed to it.
 */
export function writeOggOpus(opts: { channels: number; preSkip: number; packets: readonly Buffer[]; endGranule?: number }): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = opts.channels;
  head.writeUInt16LE(opts.preSkip, 10);
  head.writeUInt32LE(48_000, 12);
  const vendor = Buffer.from('duet', 'latin1');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  const pages: Buffer[] = [page([head], 0n, 0, 0x02), page([tags], 0n, 1, 0)];
  let granule = 0;
  let onPage: Buffer[] = [];
  let segments = 0;
  let pageStart = 0;
  const flush = (last: boolean) => {
    const g = last && opts.endGranule !== undefined && opts.endGranule < granule ? Math.max(opts.endGranule, pageStart) : granule;
    pages.push(page(onPage, BigInt(g), pages.length, last ? 0x04 : 0));
    onPage = [];
    segments = 0;
    pageStart = granule;
  };
  for (const p of opts.packets) {
    const s = segmentsOf(p);
    if (s > 255) throw new Error('Opus packet too large for one Ogg page');
    if (onPage.length && (segments + s > 255 || granule - pageStart >= PAGE_SAMPLES)) flush(false);
    onPage.push(p);
    segments += s;
    granule += opusPacketSamples(p);
  }
  flush(true);
  return Buffer.concat(pages);
}
