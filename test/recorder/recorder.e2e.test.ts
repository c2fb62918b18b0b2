import { readFile, mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@duet/protocol';
import { createRecorderToken, readManifest } from '../../core/src/index.js';
import { browserUnavailable, launchChromium, screenshotPath } from '../harness/browser.js';
import { startTestServer, type TestServer } from '../harness/app.js';
import { speechOf } from '../harness/speech.js';
import { fakeMicArgs, serveCrm, speechWav } from './crm-page.js';

const CARD = '4111 1111 1111 1111';
const MASKED_NAME = 'Jordan Lee-Masked';
const UNMASKED_NOTE = 'refund-approved-note';
/** the text of a sensitive area (hidden, so it never pauses the recording): never captured */
const AREA_SECRET = 'AREA-SECRET-7731';

const skip = browserUnavailable();

describe.skipIf(skip)('recorder agent in Chromium: a call with a payment step, recorded, finalized and private', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let crm: Awaited<ReturnType<typeof serveCrm>>;
  let work: string;
  let interactionId: string;
  let manifest: Manifest;
  /** socket.io frames the page sent whose chunk metadata says gzip (the compression worker ran) */
  let gzipChunksSent = 0;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'duet-recorder-e2e-'));
    const mic = await speechWav(work, 'agent', 'Thank you for calling, how can I help?', 'en-us+m3');
    const customerWav = await readFile(await speechWav(work, 'customer', 'I would like to pay my bill please.', 'en-gb+f3'));
    server = await startTestServer();
    const alex = await server.core.db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow();
    const { token } = await createRecorderToken(server.core.db, alex.id, 'e2e', { id: null });
    crm = await serveCrm(customerWav);
    browser = await launchChromium(fakeMicArgs(mic));
    page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error('[page]', m.text()));
    page.on('websocket', (ws) => ws.on('framesent', (f) => typeof f.payload === 'string' && f.payload.includes('"contentEncoding":"gzip"') && gzipChunksSent++));
    await page.goto(crm.url);
    interactionId = await page.evaluate(
      async ({ serverUrl, token }) => {
        const w = window as unknown as { makeRecorder(o: object): { start(o: object): Promise<string> }; customerStream(): Promise<MediaStream> };
        const customer = await w.customerStream();
        // checkouts every 3 s (30 s by default): several seek points in this short call
        return w.makeRecorder({ serverUrl, token, tabId: 'crm', checkoutEveryMs: 3000 }).start({ callId: 'e2e-call-1', direction: 'inbound', customer });
      },
      { serverUrl: server.url, token },
    );

    // The call: the agent types a (masked) name and an (unmasked) note, then takes the card.
    await page.waitForTimeout(2500);
    await page.click('#name');
    await page.keyboard.type(MASKED_NAME, { delay: 30 });
    await page.click('#note');
    await page.keyboard.type(UNMASKED_NOTE, { delay: 30 });
    await page.waitForTimeout(1500);
    await page.click('#card');
    await page.keyboard.type(CARD, { delay: 60 });
    await page.click('#cvc');
    await page.keyboard.type('123', { delay: 60 });
    expect(await page.locator('[data-duet-badge]').getAttribute('data-state')).toBe('paused');
    await page.screenshot({ path: await screenshotPath('recorder-paused-on-card-field') });
    await page.click('#done');
    await page.waitForTimeout(3000);
    await page.screenshot({ path: await screenshotPath('recorder-recording') });
    await page.evaluate(() => (window as unknown as { rec: { stop(): Promise<void> } }).rec.stop());

    const deadline = Date.now() + 60_000;
    for (;;) {
      const row = await server.core.db.selectFrom('interactions').select(['status', 'manifest_key', 'finalize_error']).where('id', '=', interactionId).executeTakeFirst();
      if (row?.status === 'failed') throw new Error(`finalization failed: ${row.finalize_error}`);
      if (row?.status === 'ready') {
        manifest = await readManifest(server.core.store, row.manifest_key!);
        if (manifest.analysis === 'done') break;
      }
      if (Date.now() > deadline) throw new Error(`interaction ${interactionId} not ready: ${row?.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await crm?.close();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('records the interaction with its call id, one PCI pause for the card field, and the tab’s screen stream', async () => {
    const row = await server.core.db.selectFrom('interactions').select(['call_id', 'direction', 'end_reason', 'audio_channels']).where('id', '=', interactionId).executeTakeFirstOrThrow();
    expect(row).toEqual({ call_id: 'e2e-call-1', direction: 'inbound', end_reason: 'ended', audio_channels: 2 });
    expect(manifest.pauses).toHaveLength(1);
    expect(manifest.pauses[0]!.reason).toBe('sensitive-field');
    expect(manifest.pauses[0]!.endMs - manifest.pauses[0]!.startMs).toBeGreaterThan(1000);
    expect(manifest.screens.map((s) => s.stream)).toEqual(['screen:crm']);
    // screen chunks went gzip-compressed (by the worker); the server stored them decompressed
    expect(gzipChunksSent).toBeGreaterThan(0);
    // seek points: the start, checkouts every 3 s (taken when the page is idle) and the resume after the pause
    expect(manifest.screens[0]!.segments.length).toBeGreaterThanOrEqual(3);
    expect(manifest.gaps).toEqual([]);
    expect(manifest.audio).toMatchObject({ channels: 2, codec: 'opus' });
    expect(Math.abs(manifest.audio!.durationMs - manifest.timelineMs)).toBeLessThanOrEqual(100);
  });

  it('holds the agent’s voice on the left and the customer’s on the right, and silence over the pause', async () => {
    const file = path.join(work, 'audio.ogg');
    const got = await server.core.store.get(manifest.audio!.key);
    const parts: Buffer[] = [];
    for await (const c of got.body) parts.push(c as Buffer);
    await writeFile(file, Buffer.concat(parts));
    const pause = manifest.pauses[0]!;
    for (const channel of [0, 1]) {
      const speech = await speechOf(file, channel, manifest.audio!.durationMs);
      expect(speech.filter((s) => s.endMs < pause.startMs).length, `channel ${channel} speech before the pause`).toBeGreaterThan(0);
      expect(speech.filter((s) => s.startMs < pause.endMs - 150 && s.endMs > pause.startMs + 150), `channel ${channel} silent in the pause`).toEqual([]);
    }
    expect(manifest.metrics!.customer!.talkMs).toBeGreaterThan(500);
    expect(manifest.metrics!.agent.talkMs).toBeGreaterThan(500);
  });

  it('keeps the card number and masked values out of every stored byte, and keeps what was unmasked', async () => {
    const root = path.join(server.dataDir, 'objects');
    const texts: string[] = [];
    const walk = async (d: string) => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(path.join(d, e.name));
        else {
          const bytes = await readFile(path.join(d, e.name));
          texts.push(e.name.endsWith('.gzip') ? gunzipSync(bytes).toString('utf8') : bytes.toString('latin1'));
        }
      }
    };
    await walk(root);
    const digits = new RegExp(CARD.replace(/\D/g, '').split('').join('[^0-9]{0,2}'));
    for (const t of texts) {
      expect(digits.test(t)).toBe(false);
      expect(t.includes(MASKED_NAME)).toBe(false);
      expect(t.includes(AREA_SECRET)).toBe(false);
    }
    const screenText = texts.filter((t) => t.includes('"timestamp"')).join('\n');
    expect(screenText).toContain(UNMASKED_NOTE);
    // The database: no chunk rows left, and no trace of the card in what stays.
    const rows = await server.core.db.selectFrom('interaction_chunks').select('seq').where('interaction_id', '=', interactionId).execute();
    expect(rows).toEqual([]);
  });

  it('showed the agent a badge for every state and removes it on stop', async () => {
    const states = await page.evaluate(() => (window as unknown as { log: { states: { state: string }[] } }).log.states.map((s) => s.state));
    expect(states).toEqual(expect.arrayContaining(['starting', 'recording', 'paused', 'stopped']));
    expect(await page.locator('[data-duet-badge]').count()).toBe(0);
  });
});
