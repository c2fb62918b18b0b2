import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecorderToken, readObject } from '../../core/src/index.js';
import { browserUnavailable, launchChromium } from '../harness/browser.js';
import { startTestServer, type TestServer } from '../harness/app.js';
import { manifestOf, waitReady } from '../harness/recorded-interactions.js';
import { fakeMicArgs, speechWav } from './crm-page.js';

/**
 * The recorder serializes a big DOM change in slices of a few ms (rrweb patched at build time,
 * recorder-agent/vite/rrweb-sliced-mutations.ts) while the page keeps changing: nodes removed,
 * moved, re-attributed and re-texted before their slice came, typing in between (rrweb flushes
 * before each input event), a keyed re-render on top. What the replayer rebuilds from the stored
 * events must be the page as it was, and the big change must really have gone out in slices.
 */

const BUNDLE = fileURLToPath(new URL('../../recorder-agent/bundle/duet-recorder.iife.js', import.meta.url));
// rrweb's script-tag build (sets window.rrweb), next to its CommonJS entry (not in its exports map)
const RRWEB_UMD = path.join(path.dirname(createRequire(import.meta.url).resolve('rrweb')), 'rrweb.umd.min.cjs');
const ROWS = 4000;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Big list</title><script src="/duet-recorder.iife.js"></script></head>
<body><input id="q" data-duet-unmask><p id="ticker">tick</p><ul id="list"></ul>
<script>
  const list = document.getElementById('list');
  const ticker = document.getElementById('ticker');
  const row = (i) => {
    const li = document.createElement('li');
    li.dataset.id = String(i);
    li.className = 'row';
    li.innerHTML = '<span class="name">Customer ' + i + '</span> <b>' + (i % 3 ? 'open' : 'closed') + '</b> <em>tag-' + (i % 7) + '</em>';
    return li;
  };
  const tick = () => new Promise((r) => setTimeout(r, 2));
  window.bigRender = async () => {
    const frag = document.createDocumentFragment();
    for (let i = 0; i < ${ROWS}; i++) frag.appendChild(row(i));
    list.appendChild(frag);
    // while the slices of that render are being serialized:
    for (let k = 0; k < 60; k++) {
      await tick();
      ticker.textContent = 'tick ' + k;
      if (k === 1) for (let i = 3000; i < 3100; i++) list.querySelector('[data-id="' + i + '"]').remove();
      if (k === 2) list.prepend(list.lastElementChild);
      if (k === 3) list.children[10].className = 'row hot';
      if (k === 4) list.children[3500].querySelector('b').textContent = 'escalated';
      if (k === 5) list.children[3600].appendChild(row(90001));
      if (k === 6) { const moved = list.children[3700]; list.children[20].after(moved); moved.dataset.moved = 'yes'; }
      if (k === 7) list.children[3800].remove();
    }
  };
  window.keyedRender = async () => {
    // a keyed re-render: every third row kept (moved, in reverse), the rest dropped, 300 new on top
    const keep = [...list.children].filter((li) => Number(li.dataset.id) % 3 === 0).reverse();
    for (const li of keep) list.appendChild(li);
    for (const li of [...list.children]) if (Number(li.dataset.id) % 3 !== 0) li.remove();
    const frag = document.createDocumentFragment();
    for (let i = 0; i < 300; i++) frag.appendChild(row(50000 + i));
    list.prepend(frag);
    for (let k = 0; k < 20; k++) { await tick(); ticker.textContent = 'after ' + k; }
  };
  window.digest = (doc) => ({
    ticker: doc.getElementById('ticker').textContent,
    rows: [...doc.querySelectorAll('#list > li')].map((li) => [li.dataset.id, li.className, li.dataset.moved || '', li.textContent].join('|')),
  });
</script></body></html>`;

interface Digest {
  ticker: string;
  rows: string[];
}
type Ev = { type: number; timestamp: number; data: { source?: number; adds?: unknown[]; tag?: string } };

describe.skipIf(browserUnavailable())('recorder: a big DOM change serialized in slices replays as the page was', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let site: http.Server;
  let work: string;
  let live: Digest;
  let refused: unknown[] = [];
  const events: Ev[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'duet-sliced-'));
    const mic = await speechWav(work, 'agent', 'One moment please.', 'en-us');
    server = await startTestServer();
    const alex = await server.core.db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow();
    const { token } = await createRecorderToken(server.core.db, alex.id, 'sliced', { id: null });
    const bundle = await readFile(BUNDLE);
    site = http.createServer((req, res) => {
      if (req.url === '/duet-recorder.iife.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    browser = await launchChromium(fakeMicArgs(mic));
    page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error('[page]', m.text()));
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
    const interactionId = await page.evaluate(
      ({ serverUrl, token }) => {
        const w = window as unknown as { rec: { start(o: object): Promise<string> }; DuetRecorder: { Recorder: new (o: object) => { start(o: object): Promise<string> } } };
        // checkouts every 1.5 s: full snapshots taken over a changing page (when it is idle), their body in slices too
        w.rec = new w.DuetRecorder.Recorder({ serverUrl, token, tabId: 'big', checkoutEveryMs: 1500 });
        // a chunk the server refuses (one over its size limit) is lost: none may be
        const failures: unknown[] = ((window as unknown as { failures: unknown[] }).failures = []);
        (w.rec as unknown as { on(e: string, f: (x: unknown) => void): void }).on('error', (x) => failures.push(x));
        return w.rec.start({ callId: 'sliced-1' });
      },
      { serverUrl: server.url, token },
    );
    await page.waitForTimeout(1000);
    // the big render, with typing while its slices go out (rrweb flushes before each input event)
    const rendering = page.evaluate(() => (window as unknown as { bigRender(): Promise<void> }).bigRender());
    await page.type('#q', 'abc', { delay: 5 });
    await rendering;
    await page.waitForTimeout(500);
    await page.evaluate(() => (window as unknown as { keyedRender(): Promise<void> }).keyedRender());
    await page.type('#q', 'def', { delay: 5 });
    await page.waitForTimeout(1000);
    // a pause and resume: the screen starts again with a full snapshot of the whole page (a seek point)
    await page.evaluate(async () => {
      const rec = (window as unknown as { rec: { pause(): void; resume(): void } }).rec;
      rec.pause();
      await new Promise((r) => setTimeout(r, 500));
      rec.resume();
    });
    await page.waitForTimeout(2500);
    live = await page.evaluate(() => (window as unknown as { digest(d: Document): Digest }).digest(document));
    await page.evaluate(() => (window as unknown as { rec: { stop(): Promise<void> } }).rec.stop());
    refused = await page.evaluate(() => (window as unknown as { failures: unknown[] }).failures);
    // generous: every test file runs at once in CI on 2 cores, and finalize waits its turn
    await waitReady(server, interactionId, 200_000);
    const manifest = await manifestOf(server, interactionId);
    for (const seg of manifest.screens[0]!.segments) events.push(...(JSON.parse(gunzipSync(await readObject(server.core.store, seg.key)).toString('utf8')) as Ev[]));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (site ? site.close(r) : r(null)));
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sent the first snapshot’s body right after it, and the 4,000-row render as several mutation events, in time order', () => {
    // full snapshots leave the body's children to mutation slices: the page's content follows the
    // first one (not only at the next checkout)
    const first = events.findIndex((e) => e.type === 2);
    const next = events.findIndex((e, i) => i > first && e.type === 2);
    const fill = events.slice(first + 1, next < 0 ? undefined : next);
    expect(fill.some((e) => e.data.source === 0 && e.data.adds!.some((a) => (a as { node: { attributes?: { id?: string } } }).node.attributes?.id === 'ticker'))).toBe(true);
    // rows (li.row elements) went out in several events, not in one (how many depends on the machine)
    const withRows = events.filter((e) => e.type === 3 && e.data.source === 0 && e.data.adds!.some((a) => (a as { node: { attributes?: { class?: string } } }).node.attributes?.class === 'row'));
    expect(withRows.length).toBeGreaterThan(2);
    for (let i = 1; i < events.length; i++) expect(events[i]!.timestamp).toBeGreaterThanOrEqual(events[i - 1]!.timestamp);
  });

  it('had no chunk refused: a drain of the whole 4,000-row list (1.5 MB of JSON) goes out as several chunks under the ingest limit', () => {
    expect(refused).toEqual([]);
  });

  it('replays to exactly the page’s last state: rows, their order, classes, texts, and the ticker', { timeout: 120_000 }, async () => {
    expect(live.rows.length).toBeGreaterThan(1500); // every third of 4,000 rows, less the removed ones, and 300 new
    // from the start, through every full snapshot; and from the last one only (the resume's, or a
    // later checkout), as the player seeks
    const lastSnapshot = events.findLastIndex((e) => e.type === 2);
    expect(lastSnapshot).toBeGreaterThan(1);
    const fromLastCheckout = events.slice(events.findLastIndex((e, i) => e.type === 4 && i < lastSnapshot));
    const replayPage = await browser.newPage();
    await replayPage.setContent('<!doctype html><html><body></body></html>');
    await replayPage.addScriptTag({ path: RRWEB_UMD });
    const replay = (evs: Ev[]) =>
      replayPage.evaluate((evs) => {
        const { Replayer } = (window as unknown as { rrweb: { Replayer: new (e: unknown[], o: object) => { pause(t: number): void; iframe: HTMLIFrameElement; destroy(): void } } }).rrweb;
        const r = new Replayer(evs, { root: document.body, showWarning: false, mouseTail: false });
        r.pause(evs[evs.length - 1]!.timestamp - evs[0]!.timestamp + 1);
        const doc = r.iframe.contentDocument!;
        const out = {
          ticker: doc.getElementById('ticker')!.textContent!,
          rows: [...doc.querySelectorAll('#list > li')].map((li) => [(li as HTMLElement).dataset.id, li.className, (li as HTMLElement).dataset.moved || '', li.textContent].join('|')),
        };
        r.destroy();
        return out;
      }, evs);
    const replayed = await replay(events);
    const seeked = await replay(fromLastCheckout);
    await replayPage.close();
    expect(replayed.ticker).toBe(live.ticker);
    expect(replayed.rows).toEqual(live.rows);
    expect(seeked).toEqual(live);
  });
});
