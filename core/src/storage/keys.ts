import { DuetError } from '../errors.js';

/**
 * Object keys are built by the server from ids, never from client strings, and the same key must
 * be safe as an S3 key, as a relative filesystem path and inside a URL path without escaping.
 * Hence a deliberately small alphabet: anything outside it is a bug upstream, not data to store.
 */

export const MAX_KEY_BYTES = 1024;

/** One path segment: letters, digits, `.`, `-`, `_`, `=`. `.` and `..` alone are refused separately. */
const SEGMENT = /^[A-Za-z0-9._=-]+$/;

export class InvalidObjectKey extends DuetError {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(400, 'invalid_object_key', `Invalid object key ${JSON.stringify(key)}: ${problem}.`);
  }
}

/** Why `segment` is not a valid key segment, or null when it is. */
function segmentProblem(segment: string): string | null {
  if (segment === '') return 'it has an empty segment (a leading, trailing or doubled "/")';
  if (segment === '.' || segment === '..') return `"${segment}" is not allowed as a segment`;
  if (!SEGMENT.test(segment)) {
    const bad = [...segment].find((ch) => !SEGMENT.test(ch)) ?? '';
    return `segment "${segment}" contains ${describeChar(bad)}; use only letters, digits, ".", "-", "_" and "="`;
  }
  return null;
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === '\\') return 'a backslash';
  if (code === 0) return 'a NUL character';
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).padStart(4, '0').toUpperCase()})`;
  return `the character ${JSON.stringify(ch)}`;
}

/** Why `key` is not a valid object key, or null when it is. */
export function keyProblem(key: string): string | null {
  if (typeof key !== 'string') return 'a key must be a string';
  if (key === '') return 'a key must not be empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `a key must be at most ${MAX_KEY_BYTES} bytes`;
  if (key.startsWith('/')) return 'a key must not start with "/"';
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment);
    if (problem) return problem;
  }
  return null;
}

/** @throws InvalidObjectKey saying what is wrong with the key. */
export function assertValidKey(key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new InvalidObjectKey(key, problem);
}

/**
 * A `list` prefix: `''` (everything), or a valid key optionally followed by `/`. The last segment
 * may be partial (`interactions/2026-11`), so prefix matching stays plain string matching.
 * @throws InvalidObjectKey
 */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const problem = keyProblem(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  if (problem) throw new InvalidObjectKey(prefix, problem.replace(/^a key/, 'a prefix'));
}

/**
 * Builds a key from server-side ids, one segment per part: `objectKey('interactions', id, 'audio.opus')`.
 * @throws InvalidObjectKey when a part is not a valid single segment (so no part can smuggle a `/`).
 */
export function objectKey(...parts: string[]): string {
  if (parts.length === 0) throw new InvalidObjectKey('', 'a key needs at least one part');
  for (const part of parts) {
    const problem = typeof part === 'string' ? segmentProblem(part) : 'every part must be a string';
    if (problem) throw new InvalidObjectKey(parts.join('/'), problem);
  }
  const key = parts.join('/');
  assertValidKey(key);
  return key;
}
