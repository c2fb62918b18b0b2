import { describe, expect, it } from 'vitest';
import { DuetError } from '../errors.js';
import { assertValidKey, assertValidPrefix, InvalidObjectKey, keyProblem, MAX_KEY_BYTES, objectKey } from './keys.js';

/** Keeps test titles readable for the 1 KiB keys. */
const show = (s: string): string => (s.length > 40 ? `${JSON.stringify(s.slice(0, 8))}… (${s.length} chars)` : JSON.stringify(s));

const validKeys = [
  'a',
  'interactions/0b6c1f9e-3f0e-4c57-9a0c-5d1f2f7f1c11/audio/000001.webm',
  'a/b/c',
  'A-Z_a-z.0-9=',
  '.hidden',
  '..a',
  'a..b',
  'x'.repeat(MAX_KEY_BYTES),
];

const invalidKeys: [key: string, why: RegExp][] = [
  ['', /empty/],
  ['/a', /start with "\/"/],
  ['a/', /empty segment/],
  ['a//b', /empty segment/],
  ['.', /"\." is not allowed/],
  ['..', /"\.\." is not allowed/],
  ['../a', /"\.\." is not allowed/],
  ['a/../b', /"\.\." is not allowed/],
  ['a/./b', /"\." is not allowed/],
  ['a\\b', /backslash/],
  ['..\\a', /backslash/],
  ['a\u0000b', /NUL/],
  ['a\nb', /control character \(U\+000A\)/],
  ['a\u007fb', /control character \(U\+007F\)/],
  ['a b', /the character " "/],
  ['a%2Fb', /the character "%"/],
  ['a?b', /the character "\?"/],
  ['a#b', /the character "#"/],
  ['a~1.tmp', /the character "~"/],
  ['C:', /the character ":"/],
  ['é', /the character "é"/],
  ['x'.repeat(MAX_KEY_BYTES + 1), /at most 1024 bytes/],
  // 1026 bytes in UTF-8 but 513 characters: the limit counts bytes.
  ['é'.repeat(513), /at most 1024 bytes/],
];

describe('assertValidKey', () => {
  it.each(validKeys.map((key) => [show(key), key]))('accepts %s', (_title, key) => {
    expect(keyProblem(key)).toBeNull();
    expect(() => assertValidKey(key)).not.toThrow();
  });

  it.each(invalidKeys.map(([key, why]) => [show(key), key, why] as const))('refuses %s', (_title, key, why) => {
    let err: unknown = null;
    try {
      assertValidKey(key);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidObjectKey);
    expect(err).toBeInstanceOf(DuetError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_object_key', key });
    expect((err as Error).message).toMatch(why);
  });

  it('refuses non-strings from untyped callers', () => {
    expect(() => assertValidKey(42 as unknown as string)).toThrow(InvalidObjectKey);
  });
});

describe('assertValidPrefix', () => {
  it.each(['', 'a', 'a/', 'a/b', 'a/b/', 'interactions/2026-'])('accepts %j', (prefix) => {
    expect(() => assertValidPrefix(prefix)).not.toThrow();
  });

  it.each(['/', '/a', 'a//', 'a//b/', '../', 'a/../', 'a\\', 'a\u0001', '.', './'])('refuses %j', (prefix) => {
    expect(() => assertValidPrefix(prefix)).toThrow(InvalidObjectKey);
  });
});

describe('objectKey', () => {
  it('joins server-side ids into a key', () => {
    expect(objectKey('interactions', '0b6c1f9e-3f0e-4c57-9a0c-5d1f2f7f1c11', 'audio.opus')).toBe(
      'interactions/0b6c1f9e-3f0e-4c57-9a0c-5d1f2f7f1c11/audio.opus',
    );
    expect(objectKey('single')).toBe('single');
  });

  const badParts: string[][] = [[], ['a/b'], ['interactions', '../secrets'], ['a', ''], ['a', '..'], ['a', 'b\\c'], ['a', 'x'.repeat(1030)]];
  it.each(badParts.map((parts) => [parts.map(show).join(', '), parts] as const))('refuses [%s]', (_title, parts) => {
    expect(() => objectKey(...parts)).toThrow(InvalidObjectKey);
  });
});
