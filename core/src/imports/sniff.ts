/**
 * What an uploaded file is, from its first bytes: the only thing that decides how it is read.
 * Content-Type headers and file names are claims; they may only agree with the bytes. Pure, so
 * the server (before storing anything) and the worker (before decoding) run the same check.
 */

export type ImportContainer = 'wav' | 'mp3' | 'ogg' | 'webm';

/** How many leading bytes `sniffAudio` needs to decide. */
export const SNIFF_BYTES = 64;

export const ACCEPTED_AUDIO = 'WAV (RIFF/WAVE), MP3, Ogg (Opus/Vorbis) or WebM/Matroska audio';

const CONTAINER_NAMES: Record<ImportContainer, string> = { wav: 'WAV', mp3: 'MP3', ogg: 'Ogg', webm: 'WebM' };
export const containerName = (c: ImportContainer) => CONTAINER_NAMES[c];

const ascii = (b: Uint8Array, start: number, end: number) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', start, end);

/** An MPEG audio frame header (layer I-III, valid version, bitrate and rate): not ADTS/AAC, not noise. */
function isMpegFrameHeader(b: Uint8Array, at = 0): boolean {
  if (b.length < at + 4) return false;
  const [b0, b1, b2] = [b[at]!, b[at + 1]!, b[at + 2]!];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 0x03; // 01 is reserved
  const layer = (b1 >> 1) & 0x03; // 00 is reserved (ADTS AAC uses it)
  const bitrate = (b2 >> 4) & 0x0f; // 1111 is invalid
  const rate = (b2 >> 2) & 0x03; // 11 is reserved
  return version !== 0x01 && layer !== 0x00 && bitrate !== 0x0f && rate !== 0x03;
}

/** Printable ASCII, tab, CR or LF. */
const isPrintable = (ch: string) => ch === '\t' || ch === '\n' || ch === '\r' || (ch >= ' ' && ch <= '~');

/** Names of common things that are not audio we take, so a refusal says what the file looks like. */
function lookalike(b: Uint8Array): string | null {
  const text = ascii(b, 0, Math.min(b.length, SNIFF_BYTES)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  if (text.startsWith('#EXTM3U') || text.startsWith('#EXT-X-')) return 'an M3U/HLS playlist';
  if (/^ffconcat\b/i.test(text) || /^file\s+['"]?[^\s]/.test(text)) return 'an ffmpeg concat script';
  if (/^\[playlist\]/i.test(text)) return 'a PLS playlist';
  if (/^<\?xml|^<(smil|playlist|asx|html|!doctype)/i.test(text)) return 'an XML/HTML document or playlist';
  if (b[0] === 0x89 && ascii(b, 1, 4) === 'PNG') return 'a PNG image';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'a JPEG image';
  if (ascii(b, 0, 4) === 'GIF8') return 'a GIF image';
  if (ascii(b, 0, 5) === '%PDF-') return 'a PDF document';
  if (ascii(b, 0, 4) === 'PK\u0003\u0004') return 'a ZIP archive';
  if (ascii(b, 4, 8) === 'ftyp') return 'an MP4/QuickTime file';
  if (ascii(b, 0, 4) === 'RIFF') return `a RIFF file of type "${ascii(b, 8, 12)}", not WAVE`;
  if (ascii(b, 0, 4) === 'fLaC') return 'a FLAC file';
  if (b[0] === 0xff && (b[1]! & 0xf6) === 0xf0) return 'an AAC (ADTS) stream';
  if (text.length >= 16 && [...text.slice(0, 16)].every(isPrintable)) return 'a text file';
  return null;
}

export type SniffResult = { ok: true; container: ImportContainer } | { ok: false; reason: string };

/** Decides the container from the first bytes (at least {@link SNIFF_BYTES} when the file has them). */
export function sniffAudio(head: Uint8Array): SniffResult {
  if (head.length === 0) return { ok: false, reason: 'the file is empty' };
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WAVE') return { ok: true, container: 'wav' };
  if (ascii(head, 0, 4) === 'OggS') return { ok: true, container: 'ogg' };
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return { ok: true, container: 'webm' };
  if (ascii(head, 0, 3) === 'ID3' || isMpegFrameHeader(head)) return { ok: true, container: 'mp3' };
  const like = lookalike(head);
  return { ok: false, reason: `the content is not ${ACCEPTED_AUDIO}${like ? `: it looks like ${like}` : ''}` };
}

/** The container a Content-Type names; `null` for generic types (octet-stream, audio/*) that claim none. */
export function containerOfContentType(contentType: string): ImportContainer | null | 'unsupported' {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  switch (type) {
    case 'audio/wav':
    case 'audio/x-wav':
    case 'audio/wave':
    case 'audio/vnd.wave':
      return 'wav';
    case 'audio/mpeg':
    case 'audio/mp3':
    case 'audio/mpeg3':
    case 'audio/x-mpeg-3':
      return 'mp3';
    case 'audio/ogg':
    case 'audio/opus':
    case 'application/ogg':
      return 'ogg';
    case 'audio/webm':
    case 'audio/x-matroska':
      return 'webm';
    case 'application/octet-stream':
    case 'audio/*':
      return null;
    default:
      return 'unsupported';
  }
}

/** The container a file name's extension names; `null` without a known audio extension. */
export function containerOfFilename(filename: string): ImportContainer | null | 'unsupported' {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase();
  if (!ext) return null;
  const map: Record<string, ImportContainer> = { wav: 'wav', wave: 'wav', mp3: 'mp3', ogg: 'ogg', oga: 'ogg', opus: 'ogg', webm: 'webm', weba: 'webm', mka: 'webm' };
  return map[ext] ?? 'unsupported';
}

export const ACCEPTED_CONTENT_TYPES = 'audio/wav, audio/mpeg, audio/ogg, audio/webm or application/octet-stream';
