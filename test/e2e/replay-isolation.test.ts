import type { Browser, Request } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness/app.js';
import { browserUnavailable, launchChromium, screenshotPath } from '../harness/browser.js';
import { recorderFor, sendScreenOnly } from '../harness/recorded-interactions.js';
import { Page as Crafted, type CraftedEvent } from '../harness/rrweb-craft.js';

/**
 * Recorded pages are untrusted input. A hostile "recording" (scripts, inline handlers,
 * `javascript:` links, external images, stylesheets, fonts, frames, a meta refresh, a base URL)
 * goes through ingest and finalization like any other, and the player replays it: nothing may
 * run and nothing may be requested from anywhere but Duet itself.
 */
const EVIL = 'http://evil.example.test';

function hostilePage(start: number): CraftedEvent[] {
  const p = new Crafted();
  const pwn = (n: number) => `window.top.__pwned=${n};console.log('PWNED ${n}')`;
  const snapshot = p.snapshot(
    start + 50,
    `${EVIL}/crm`,
    [
      p.el('title', {}, ['Totally normal CRM']),
      p.el('base', { href: `${EVIL}/base/` }),
      p.el('meta', { 'http-equiv': 'refresh', content: `0;url=${EVIL}/refresh` }),
      p.el('link', { rel: 'stylesheet', href: `${EVIL}/style.css` }),
      p.el('style', { _cssText: `@import url("${EVIL}/import.css"); @font-face { font-family: x; src: url(${EVIL}/font.woff2); } body { font-family: x; background: url(${EVIL}/bg.png); }` }),
      p.el('script', {}, [pwn(1)]),
      p.el('script', { src: `${EVIL}/script.js` }),
    ],
    [
      p.el('h1', { id: 'hostile-title' }, [p.text('Customer record', 'title-text')], 'title'),
      p.el('img', { id: 'pixel', src: `${EVIL}/pixel.png`, onerror: pwn(2), onload: pwn(2) }),
      p.el('a', { id: 'js-link', href: `javascript:${pwn(3)}` }, ['Open ticket']),
      p.el('svg', { onload: pwn(4), width: '10', height: '10' }, [p.el('image', { href: `${EVIL}/svg-image.png` })]),
      p.el('iframe', { srcdoc: `<script>${pwn(5)}</script>`, src: `${EVIL}/frame` }),
      p.el('object', { data: `${EVIL}/object.swf` }),
      p.el('video', { poster: `${EVIL}/poster.png`, src: `${EVIL}/video.mp4` }),
      p.el('form', { action: `${EVIL}/steal`, id: 'form' }, [p.el('button', { formaction: `javascript:${pwn(6)}` }, ['Save'])]),
      p.el('div', { style: `background-image: url(${EVIL}/inline-bg.png)`, onmouseover: pwn(7), id: 'hover' }, ['Hover me']),
      p.el('div', { id: 'later' }, [], 'later'),
    ],
  );
  return [
    ...snapshot,
    // Mutations a hostile page could record later: new script, new handler, new image.
    p.add(start + 1000, 'later', p.el('script', {}, [pwn(8)])),
    p.add(start + 1500, 'later', p.el('img', { src: `${EVIL}/later.png`, onerror: pwn(9) })),
    p.setAttributes(start + 2000, 'title', { onclick: pwn(10), style: `background: url(${EVIL}/attr.png)` }),
    p.setText(start + 2500, 'title-text', 'Customer record (updated)'),
  ];
}

describe.skipIf(browserUnavailable())('review UI: a hostile recorded page runs nothing and requests nothing', () => {
  let server: TestServer;
  let browser: Browser;
  let alex: Socket;
  let id: string;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    alex = await recorderFor(server, 'alex');
    const start = Date.now() - 10_000;
    id = await sendScreenOnly(server, alex, hostilePage(start), { start, durationMs: 4000, callId: 'CALL-HOSTILE' });
  }, 120_000);

  afterAll(async () => {
    alex?.close();
    await browser?.close();
    await server?.stop();
  });

  it('replays it with the DOM intact, no script run and no request leaving Duet', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const requests: Request[] = [];
    const logs: string[] = [];
    const origin = new URL(server.url).origin;
    // The browser announces a request before its CSP check; one blocked by the policy fails with
    // a "csp" error (net::ERR_BLOCKED_BY_CSP) and never reaches the network. Anything else outside Duet is a leak.
    const blocked = new Set<Request>();
    page.on('requestfailed', (r: Request) => {
      if (/^csp$|ERR_BLOCKED_BY_CSP/.test(r.failure()?.errorText ?? '')) blocked.add(r);
    });
    page.on('request', (r: Request) => requests.push(r));
    page.on('console', (m) => logs.push(m.text()));
    page.on('dialog', (d) => {
      logs.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });

    await page.goto(`${server.url}/login`);
    await page.getByLabel('Username').fill('sofia');
    await page.getByLabel('Password').fill('welcome-to-duet');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: /^Replay Alex Kim CALL-HOSTILE/ }).click();
    await page.waitForURL(`**/interactions/${id}`);

    const doc = `document.querySelector('[data-testid=replay-root] iframe')?.contentDocument`;
    await expect.poll(() => page.evaluate(`${doc}?.querySelector('#hostile-title')?.textContent ?? null`), { timeout: 15_000 }).toBe('Customer record');
    expect(await page.locator('[data-testid=replay-root] iframe').getAttribute('sandbox')).toBe('allow-same-origin');

    // Play through every later mutation (screen-only: the player's wall clock drives it).
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(() => page.evaluate(`${doc}?.querySelector('#hostile-title')?.textContent ?? null`), { timeout: 10_000 }).toBe('Customer record (updated)');

    // A person (or a test) clicking the recorded link and hovering inside the replay: still nothing.
    await page.evaluate(`(() => { const d = ${doc}; d.querySelector('#js-link')?.click(); d.querySelector('#form button')?.click(); d.querySelector('#hover')?.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })); })()`);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: await screenshotPath('26-player-hostile-page') });

    expect(await page.evaluate('window.__pwned ?? null')).toBeNull();
    expect(logs.filter((l) => /PWNED|dialog:/.test(l))).toEqual([]);
    const outside = requests.filter((r) => !r.url().startsWith(origin) && !/^(data|blob):/.test(r.url()));
    expect(outside.length).toBeGreaterThan(0); // the hostile page did try
    const leaked = outside.filter((r) => !blocked.has(r)).map((r) => `${r.url()} (${r.failure()?.errorText ?? 'not failed'})`);
    expect(leaked, leaked.join('\n')).toEqual([]);
    // And the replay frame was never navigated away (meta refresh, base, javascript: link): it
    // still holds the replayed document (whose URL rrweb's document.open() made the player's).
    expect(await page.evaluate(`document.querySelector('[data-testid=replay-root] iframe').contentWindow.location.href`)).not.toMatch(/evil|javascript/);
    expect(await page.evaluate(`${doc}?.querySelector('#hostile-title')?.textContent ?? null`)).toBe('Customer record (updated)');
    await page.close();
  });
});
