import { describe, expect, it } from 'vitest';
import { parseRange } from './range.js';

describe('parseRange', () => {
  it.each([
    // [header, size, expected]
    ['bytes=0-99', 1000, { start: 0, end: 99 }],
    ['bytes=100-199', 1000, { start: 100, end: 199 }],
    ['bytes=999-999', 1000, { start: 999, end: 999 }],
    ['bytes=500-', 1000, { start: 500, end: 999 }],
    ['bytes=0-', 1000, { start: 0, end: 999 }],
    ['bytes=900-5000', 1000, { start: 900, end: 999 }],
    ['bytes=-100', 1000, { start: 900, end: 999 }],
    ['bytes=-5000', 1000, { start: 0, end: 999 }],
    ['bytes=0-0', 1, { start: 0, end: 0 }],
    ['BYTES=1-2', 10, { start: 1, end: 2 }],
    ['  bytes=1-2  ', 10, { start: 1, end: 2 }],
    ['bytes= 1-2', 10, { start: 1, end: 2 }],
    ['bytes=0-99999999999999999999999', 10, { start: 0, end: 9 }],
  ] as const)('%j of %i bytes → %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it.each([
    ['bytes=1000-', 1000],
    ['bytes=1000-2000', 1000],
    ['bytes=5000-6000', 1000],
    ['bytes=-0', 1000],
    ['bytes=0-', 0],
    ['bytes=-1', 0],
    ['bytes=99999999999999999999999-', 10],
  ] as const)('%j of %i bytes is unsatisfiable', (header, size) => {
    expect(parseRange(header, size)).toBe('unsatisfiable');
  });

  it.each([
    [undefined],
    [''],
    ['bytes='],
    ['bytes=-'],
    ['bytes=abc-def'],
    ['bytes=1-2-3'],
    ['bytes=5-1'], // last < first: invalid, so ignored (RFC 9110 §14.1.1)
    ['bytes=0-1,5-6'], // several ranges: answered with the whole object
    ['items=0-1'],
    ['bytes 0-1'],
    ['bytes=+1-2'],
    ['bytes=1.5-2'],
    ['bytes=0x10-'],
  ] as const)('%j is ignored (null)', (header) => {
    expect(parseRange(header, 1000)).toBeNull();
  });
});
