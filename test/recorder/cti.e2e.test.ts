import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationToken, createRecorderToken, readManifest } from '../../core/src/index.js';
import { startTestServer, type TestServer } from '../harness/app.js';
import { browserUnavailable, launchChromium } from '../harness/browser.js';
import { fakeMicArgs, serveCrm, speechWav } from './crm-page.js';

type PageWindow = Window & { makeRecorder(o: object): { listen(): Promise<void>; interactionId: string | null }; rec: { interactionId: string | null } };
const skip = browserUnavailable();

/** A phone system starts and stops recording in the agent's browser through Duet, without a click. */
describe.skipIf(skip)('CTI in the browser: call-started starts the recorder, call-ended stops it', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let crm: Awaited<ReturnType<typeof serveCrm>>;
  let work: string;
  let cti: string;

  const post = (body: object) =>
    fetch(`${server.url}/api/cti/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${cti}` }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { delivered: number } }));

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'duet-cti-e2e-'));
    const mic = await speechWav(work, 'agent', 'Good morning, you are through to billing.', 'en-us+m3');
    server = await startTestServer();
    const alex = await server.core.db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow();
    const token = (await createRecorderToken(server.core.db, alex.id, 'cti e2e', { id: null })).token;
    cti = (await createIntegrationToken(server.core.db, 'pbx', ['cti'], { id: null })).token;
    // A host page with a strict policy: no workers from Blob URLs, so the recorder sends its
    // screen chunks uncompressed (and still records everything).
    crm = await serveCrm(null, { csp: "default-src 'self'; script-src 'self' 'unsafe-inline'; connect-src http: ws:; media-src 'self' blob:" });
    browser = await launchChromium(fakeMicArgs(mic));
    page = await browser.newPage();
    await page.goto(crm.url);
    await page.evaluate(({ serverUrl, token }) => (window as unknown as PageWindow).makeRecorder({ serverUrl, token, tabId: 'phone' }).listen(), { serverUrl: server.url, token });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await crm?.close();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('records the call the phone system announced, under its call id, and ends it when the call ends', async () => {
    await page.waitForFunction(() => (window as unknown as PageWindow).rec !== undefined);
    expect(await post({ event: 'call-started', agent: 'alex', callId: 'PBX-CTI-1', direction: 'outbound', customerNumber: '+44 20 7946 0000' })).toEqual({ status: 202, body: expect.objectContaining({ delivered: 1 }) });
    await page.waitForFunction(() => (window as unknown as PageWindow).rec.interactionId !== null, undefined, { timeout: 10_000 });
    // The badge says so once the microphone is open (it says "Starting recording…" until then).
    await page.waitForSelector('[data-duet-badge][data-state="recording"]', { state: 'attached', timeout: 10_000 });
    await page.waitForTimeout(4000);
    // An end for another call does nothing; the right one stops it.
    await post({ event: 'call-ended', agent: 'alex', callId: 'PBX-OTHER' });
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as unknown as PageWindow).rec.interactionId)).not.toBeNull();
    await post({ event: 'call-ended', agent: 'alex', callId: 'PBX-CTI-1' });
    await page.waitForFunction(() => (window as unknown as PageWindow).rec.interactionId === null, undefined, { timeout: 10_000 });
    const deadline = Date.now() + 30_000;
    let row;
    while (Date.now() < deadline) {
      row = await server.core.db.selectFrom('interactions').select(['status', 'call_id', 'direction', 'end_reason']).executeTakeFirst();
      if (row?.status === 'ready') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(row).toEqual({ status: 'ready', call_id: 'PBX-CTI-1', direction: 'outbound', end_reason: 'ended' });
    // The policy refused the compression worker, and the screen was recorded all the same.
    expect(await page.evaluate(() => (window as unknown as { log: { csp: string[] } }).log.csp)).toContain('worker-src');
    const { manifest_key } = await server.core.db.selectFrom('interactions').select('manifest_key').where('call_id', '=', 'PBX-CTI-1').executeTakeFirstOrThrow();
    const manifest = await readManifest(server.core.store, manifest_key!);
    expect(manifest.screens.map((x) => x.stream)).toEqual(['screen:phone']);
    expect(manifest.screens[0]!.segments[0]!.eventCount).toBeGreaterThan(0);
    // Still listening: the next call starts again.
    await post({ event: 'call-started', agent: 'alex', callId: 'PBX-CTI-2' });
    await page.waitForFunction(() => (window as unknown as PageWindow).rec.interactionId !== null, undefined, { timeout: 10_000 });
    await post({ event: 'call-ended', agent: 'alex', callId: 'PBX-CTI-2' });
    await page.waitForFunction(() => (window as unknown as PageWindow).rec.interactionId === null, undefined, { timeout: 10_000 });
  }, 90_000);
});
