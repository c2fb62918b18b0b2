/**
 * HTTP `Range` header parsing (RFC 9110 §14), reduced to what media players send: one byte range.
 * Multi-range requests are answered with the whole object, which the RFC allows, because
 * multipart/byteranges responses buy nothing for audio and rrweb event files.
 */

/** Inclusive byte offsets within the object. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/**
 * Resolves `header` against an object of `size` bytes.
 *
 * @returns the inclusive range to serve (end clamped to the last byte); `'unsatisfiable'` when the
 *   range is well-formed but selects no byte (answer 416); `null` when there is no header or it
 *   must be ignored (other unit, malformed, several ranges): answer 200 with the whole object.
 */
export function parseRange(header: string | undefined, size: number): ResolvedRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^bytes=(.*)$/i.exec(header.trim());
  if (!match) return null;
  const spec = (match[1] ?? '').trim();
  if (spec.includes(',')) return null;

  const parts = /^(\d*)-(\d*)$/.exec(spec);
  if (!parts) return null;
  const [, first = '', last = ''] = parts;

  if (first === '') {
    // Suffix range `-n`: the last n bytes.
    if (last === '') return null;
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }

  const start = Number(first);
  if (last !== '' && Number(last) < start) return null; // invalid per RFC, hence ignored
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { start, end };
}
