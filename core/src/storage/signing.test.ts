import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../errors.js';
import { InvalidObjectKey } from './keys.js';
import { attachmentDisposition, encodeKeyPath, signedObjectPath, signObjectGrant, verifyObjectSignature } from './signing.js';

const secret = 'test-secret-0123456789abcdef0123456789';
const nowMs = Date.UTC(2026, 10, 23, 12, 0, 0);
const nowS = nowMs / 1000;

/** Splits a signed path the way the server sees it. */
function parse(p: string): { key: string; query: Record<string, string> } {
  const url = new URL(p, 'http://duet.test');
  expect(url.pathname.startsWith('/api/objects/')).toBe(true);
  const key = url.pathname.slice('/api/objects/'.length).split('/').map(decodeURIComponent).join('/');
  return { key, query: Object.fromEntries(url.searchParams) };
}

describe('signedObjectPath', () => {
  it('builds /api/objects/<key>?exp=..&sig=.. with exp in epoch seconds', () => {
    const p = signedObjectPath('interactions/abc/audio.opus', secret, 300, { nowMs });
    expect(p).toMatch(/^\/api\/objects\/interactions\/abc\/audio\.opus\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/);
    const { key, query } = parse(p);
    expect(key).toBe('interactions/abc/audio.opus');
    expect(Number(query.exp)).toBe(nowS + 300);
  });

  it('is deterministic for the same inputs and differs per key, expiry and secret', () => {
    const a = signedObjectPath('a/b', secret, 60, { nowMs });
    expect(signedObjectPath('a/b', secret, 60, { nowMs })).toBe(a);
    expect(signedObjectPath('a/c', secret, 60, { nowMs })).not.toBe(a);
    expect(signedObjectPath('a/b', secret, 61, { nowMs })).not.toBe(a);
    expect(signedObjectPath('a/b', `${secret}x`, 60, { nowMs })).not.toBe(a);
  });

  it('carries and signs content type and download name', () => {
    const p = signedObjectPath('a/b', secret, 60, { nowMs, contentType: 'audio/ogg', downloadName: 'Call with "Ana" – é.ogg' });
    const { key, query } = parse(p);
    expect(query.ct).toBe('audio/ogg');
    expect(query.dn).toBe('Call with "Ana" – é.ogg');
    const ok = verifyObjectSignature(key, query, secret, nowMs);
    expect(ok).toMatchObject({ ok: true, grant: { contentType: 'audio/ogg', downloadName: 'Call with "Ana" – é.ogg' } });
    expect(verifyObjectSignature(key, { ...query, ct: 'text/html' }, secret, nowMs)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyObjectSignature(key, { ...query, dn: undefined }, secret, nowMs)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('honours a custom path prefix', () => {
    expect(signedObjectPath('a', secret, 60, { nowMs, pathPrefix: '/media' })).toMatch(/^\/media\/a\?/);
  });

  it('refuses bad keys, bad expiries and weak secrets', () => {
    expect(() => signedObjectPath('../etc/passwd', secret, 60)).toThrow(InvalidObjectKey);
    expect(() => signedObjectPath('a', secret, 0)).toThrow(InvalidInput);
    expect(() => signedObjectPath('a', secret, 604_801)).toThrow(InvalidInput);
    expect(() => signedObjectPath('a', secret, 1.5)).toThrow(InvalidInput);
    expect(() => signedObjectPath('a', 'short', 60)).toThrow(InvalidInput);
  });
});

describe('verifyObjectSignature', () => {
  const p = signedObjectPath('rec/1/screen.json', secret, 120, { nowMs });
  const { key, query } = parse(p);

  it('accepts a fresh URL, up to and including its expiry second', () => {
    expect(verifyObjectSignature(key, query, secret, nowMs)).toMatchObject({ ok: true, grant: { key, exp: nowS + 120 } });
    expect(verifyObjectSignature(key, query, secret, (nowS + 120) * 1000 + 999).ok).toBe(true);
  });

  it('says expired after the expiry second', () => {
    expect(verifyObjectSignature(key, query, secret, (nowS + 121) * 1000)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('says bad_signature for another key, a moved expiry, a flipped signature or another secret', () => {
    expect(verifyObjectSignature('rec/1/audio.opus', query, secret, nowMs)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyObjectSignature(key, { ...query, exp: String(nowS + 9999) }, secret, nowMs)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const sig = query.sig!;
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(verifyObjectSignature(key, { ...query, sig: flipped }, secret, nowMs)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyObjectSignature(key, query, `${secret}-other`, nowMs)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('checks the signature before the expiry, so a forged URL is never called merely expired', () => {
    expect(verifyObjectSignature(key, { ...query, exp: '1' }, secret, nowMs)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it.each([
    [{}],
    [{ exp: '123' }],
    [{ sig: 'x'.repeat(43) }],
    [{ exp: 'soon', sig: 'x'.repeat(43) }],
    [{ exp: '123', sig: 'short' }],
    [{ exp: ['1', '2'], sig: 'x'.repeat(43) }],
    [{ exp: '123', sig: 'x'.repeat(43), ct: ['a', 'b'] }],
  ])('says malformed for %j', (q) => {
    expect(verifyObjectSignature(key, q, secret, nowMs)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('signObjectGrant matches what the path carries', () => {
    expect(signObjectGrant({ key, exp: nowS + 120 }, secret)).toBe(query.sig);
  });
});

describe('encodeKeyPath and attachmentDisposition', () => {
  it('leaves valid keys readable', () => {
    expect(encodeKeyPath('interactions/2026=11/a_b-c.d')).toBe('interactions/2026%3D11/a_b-c.d');
  });

  it('keeps quotes, CR/LF and non-ASCII out of the quoted file name', () => {
    const header = attachmentDisposition('a"b\r\nX-Evil: 1 – ü.ogg');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toBe(`attachment; filename="a_b__X-Evil: 1 _ _.ogg"; filename*=UTF-8''a%22b%0D%0AX-Evil%3A%201%20%E2%80%93%20%C3%BC.ogg`);
  });
});
