import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@duet/protocol';
import { createRecorderToken, readManifest, readObject } from '../../core/src/index.js';
import { startTestServer, type TestServer } from '../harness/app.js';
import { browserUnavailable, launchChromium, screenshotPath } from '../harness/browser.js';
import { speechOf } from '../harness/speech.js';
import { fakeMicArgs, serveCrm, speechWav } from './crm-page.js';
import { TcpProxy } from './tcp-proxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PageRecorder {
  start(o: object): Promise<string>;
  restore(): Promise<string | null>;
  stop(waitMs?: number): Promise<void>;
  queuedBytes: number;
}
type PageWindow = Window & { makeRecorder(o: object): PageRecorder; rec: PageRecorder; log: { states: { state: string; online: boolean; queuedBytes: number }[]; errors: { error: string; message: string }[]; full: { stream: string }[] } };

const skip = browserUnavailable();

/**
 * What goes wrong in a contact center: the network drops for half a minute, the agent reloads
 * the page, Duet restarts, the outbox fills up, the token is wrong. Real Chromium with a fake
 * microphone playing speech; the network is a TCP relay the test can cut.
 */
describe.skipIf(skip)('recorder agent under network cuts, reloads, restarts, a full outbox and a bad token', () => {
  let server: TestServer;
  let dataDir: string;
  let proxy: TcpProxy;
  let duetUrl: string;
  let token: string;
  let browser: Browser;
  let crm: Awaited<ReturnType<typeof serveCrm>>;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'duet-recorder-resilience-'));
    const mic = await speechWav(work, 'agent', 'Let me check that for you right away.', 'en-us+m3');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-recorder-data-'));
    server = await startTestServer({ dataDir, keepData: true });
    proxy = new TcpProxy(Number(new URL(server.url).port));
    duetUrl = `http://127.0.0.1:${await proxy.listen()}`;
    const alex = await server.core.db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow();
    token = (await createRecorderToken(server.core.db, alex.id, 'resilience', { id: null })).token;
    crm = await serveCrm(null);
    browser = await launchChromium(fakeMicArgs(mic));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await crm?.close();
    await proxy?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function openPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error('[page]', m.text()));
    await page.goto(crm.url);
    return page;
  }

  const start = (page: Page, opts: object, callId: string) =>
    page.evaluate(({ opts, callId }) => (window as unknown as PageWindow).makeRecorder(opts).start({ callId }), { opts: { serverUrl: duetUrl, token, ...opts }, callId });

  async function drained(page: Page, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while ((await page.evaluate(() => (window as unknown as PageWindow).rec.queuedBytes)) > 0) {
      if (Date.now() > deadline) throw new Error('the outbox did not drain');
      await sleep(200);
    }
  }

  async function finalized(id: string): Promise<Manifest> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const row = await server.core.db.selectFrom('interactions').select(['status', 'manifest_key', 'finalize_error']).where('id', '=', id).executeTakeFirst();
      if (row?.status === 'failed') throw new Error(`finalization failed: ${row.finalize_error}`);
      if (row?.status === 'ready') return readManifest(server.core.store, row.manifest_key!);
      if (Date.now() > deadline) throw new Error(`interaction ${id} is ${row?.status ?? 'missing'}`);
      await sleep(200);
    }
  }

  /** Speech onsets (ms) in the final audio, by silencedetect. */
  async function speechStarts(m: Manifest): Promise<number[]> {
    const file = path.join(work, `${m.interactionId}.ogg`);
    await writeFile(file, await readObject(server.core.store, m.audio!.key));
    return (await speechOf(file, 0, m.audio!.durationMs)).map((x) => x.startMs);
  }

  it('loses nothing over a 30-second network cut, shows it in the badge, and sends what was queued once', async () => {
    const page = await openPage();
    const id = await start(page, { tabId: 'cut' }, 'cut-1');
    await sleep(3000);
    proxy.disconnect();
    await sleep(30_000);
    const during = await page.evaluate(() => (window as unknown as PageWindow).log.states.at(-1)!);
    expect(during).toMatchObject({ online: false, state: 'recording' });
    expect(during.queuedBytes).toBeGreaterThan(30_000); // 30 s of 24 kbit/s audio alone is ~90 KB
    expect(await page.locator('[data-duet-badge]').evaluate((el) => el.shadowRoot!.textContent)).toMatch(/offline, [\d.]+ (KB|MB) queued/);
    await page.screenshot({ path: await screenshotPath('recorder-offline-queued') });
    proxy.restore();
    await drained(page);
    await sleep(2000);
    await page.evaluate(() => (window as unknown as PageWindow).rec.stop());
    const m = await finalized(id);
    expect(m.gaps).toEqual([]);
    expect(m.timelineMs).toBeGreaterThan(34_000);
    expect(Math.abs(m.audio!.durationMs - m.timelineMs)).toBeLessThanOrEqual(100);
    // The speech recorded while offline is there, once: onsets keep the phrase's period.
    const starts = await speechStarts(m);
    expect(starts.filter((t) => t > 5000 && t < 32_000).length).toBeGreaterThanOrEqual(5);
    expect((await page.evaluate(() => (window as unknown as PageWindow).log.errors))).toEqual([]);
    await page.close();
  }, 120_000);

  it('carries on the same interaction after a page reload', async () => {
    const page = await openPage();
    const id = await start(page, { tabId: 'reload' }, 'reload-1');
    await sleep(3000);
    await page.reload();
    const resumed = await page.evaluate((opts) => (window as unknown as PageWindow).makeRecorder(opts).restore(), { serverUrl: duetUrl, token, tabId: 'reload' });
    expect(resumed).toBe(id);
    await sleep(3000);
    await page.evaluate(() => (window as unknown as PageWindow).rec.stop());
    const m = await finalized(id);
    const same = await server.core.db.selectFrom('interactions').select('id').where('call_id', '=', 'reload-1').execute();
    expect(same).toEqual([{ id }]);
    expect(m.screens.map((s) => s.stream)).toEqual(['screen:reload']);
    // The page after the reload starts with a new full snapshot: a second segment.
    expect(m.screens[0]!.segments.length).toBeGreaterThanOrEqual(2);
    expect(m.timelineMs).toBeGreaterThan(5500);
    expect(Math.abs(m.audio!.durationMs - m.timelineMs)).toBeLessThanOrEqual(100);
    await page.close();
  }, 60_000);

  it('keeps audio and drops the oldest screen chunks when the outbox is full, and the manifest records the screen gap', async () => {
    const page = await openPage();
    // A busy page: 2 KB of new text every 100 ms, far more screen than audio (random, so that the
    // recorder's gzip cannot shrink it below the outbox budget).
    await page.evaluate(() => setInterval(() => document.body.append(Object.assign(document.createElement('p'), { textContent: Array.from({ length: 2000 }, () => String.fromCharCode(33 + Math.floor(Math.random() * 90))).join('') })), 100));
    const id = await start(page, { tabId: 'full', outboxMaxBytes: 200_000 }, 'full-1');
    await sleep(1500);
    proxy.disconnect();
    await sleep(20_000);
    const full = await page.evaluate(() => (window as unknown as PageWindow).log.full);
    expect(full.length).toBeGreaterThan(0);
    expect(new Set(full.map((d) => d.stream))).toEqual(new Set(['screen:full']));
    expect(await page.locator('[data-duet-badge]').evaluate((el) => el.shadowRoot!.textContent)).toMatch(/queue full: oldest screen dropped/);
    proxy.restore();
    await drained(page);
    await page.evaluate(() => (window as unknown as PageWindow).rec.stop());
    const m = await finalized(id);
    expect(m.gaps.map((g) => g.stream)).toContain('screen:full');
    expect(m.gaps.filter((g) => g.stream === 'audio')).toEqual([]);
    expect(Math.abs(m.audio!.durationMs - m.timelineMs)).toBeLessThanOrEqual(100);
    await page.close();
  }, 90_000);

  it('refuses a bad token with a clear error in the badge and the events, and records nothing', async () => {
    const page = await openPage();
    const before = await server.core.db.selectFrom('interactions').select('id').execute();
    await page.evaluate((serverUrl) => (window as unknown as PageWindow).makeRecorder({ serverUrl, token: 'duet_rt_not-a-real-token', tabId: 'bad' }).start({ callId: 'bad-1' }), duetUrl);
    await page.waitForFunction(() => (window as unknown as PageWindow).log.errors.length > 0);
    const errors = await page.evaluate(() => (window as unknown as PageWindow).log.errors);
    expect(errors[0]).toMatchObject({ error: 'refused', message: expect.stringMatching(/unknown recorder token/) });
    expect(await page.locator('[data-duet-badge]').evaluate((el) => el.shadowRoot!.textContent)).toMatch(/Recording stopped: handshake refused: unknown recorder token/);
    await page.screenshot({ path: await screenshotPath('recorder-bad-token') });
    await sleep(1500);
    expect(await server.core.db.selectFrom('interactions').select('id').execute()).toEqual(before);
    expect(await page.evaluate(() => (window as unknown as PageWindow).rec.queuedBytes)).toBe(0);
    await page.close();
  });

  it('loses nothing when Duet restarts mid-call', async () => {
    const page = await openPage();
    const id = await start(page, { tabId: 'restart' }, 'restart-1');
    await sleep(3000);
    await server.close();
    await sleep(4000);
    server = await startTestServer({ dataDir, keepData: true });
    proxy.restore(Number(new URL(server.url).port));
    await sleep(3000);
    await drained(page);
    await page.evaluate(() => (window as unknown as PageWindow).rec.stop());
    const m = await finalized(id);
    expect(m.gaps).toEqual([]);
    expect(m.timelineMs).toBeGreaterThan(9000);
    expect(Math.abs(m.audio!.durationMs - m.timelineMs)).toBeLessThanOrEqual(100);
    await page.close();
  }, 90_000);
});
