import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SentryInbox, sentryHead } from './sentry.js';

const CRM_JS = fileURLToPath(new URL('./page/crm.js', import.meta.url));

/** How the page loads the recorder: not at all (baseline), or the script-tag bundle started at load. */
export interface RecorderConfig {
  serverUrl: string;
  token: string;
}

const CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #1f2937; background: #f3f4f6; display: grid; grid-template: 48px 1fr / 220px 1fr; height: 100vh; }
header { grid-column: 1 / 3; display: flex; align-items: center; gap: 18px; padding: 0 16px; background: #111827; color: #fff; }
header .logo { font-weight: 700; letter-spacing: .04em; }
nav a { color: #cbd5e1; text-decoration: none; padding: 6px 10px; border-radius: 6px; }
nav a.active { background: #374151; color: #fff; }
aside { padding: 12px; background: #fff; border-right: 1px solid #e5e7eb; overflow: auto; }
aside h4 { margin: 8px 0 4px; font-size: 12px; text-transform: uppercase; color: #6b7280; }
#queue { list-style: none; padding: 0; margin: 0; }
#queue li { display: flex; justify-content: space-between; padding: 4px 0; border-bottom: 1px dashed #e5e7eb; }
#call-timer { font: 600 22px/1 ui-monospace, monospace; }
main { overflow: auto; padding: 12px 16px; }
.toolbar { display: flex; gap: 12px; align-items: center; margin-bottom: 8px; }
.toolbar input { width: 320px; padding: 6px 10px; border: 1px solid #d1d5db; border-radius: 6px; }
button { padding: 6px 12px; border: 0; border-radius: 6px; background: #2563eb; color: #fff; cursor: pointer; }
.table-wrap { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; overflow: auto; max-height: calc(100vh - 130px); }
table.grid { border-collapse: collapse; width: 100%; }
.grid th, .grid td { padding: 4px 8px; border-bottom: 1px solid #f1f5f9; text-align: left; white-space: nowrap; }
.grid th { position: sticky; top: 0; background: #f9fafb; cursor: pointer; }
.grid th.sorted { color: #2563eb; }
.grid tr:nth-child(even) td { background: #fcfcfd; }
.grid tr.flash td { animation: flash 1s ease-out; }
@keyframes flash { from { background: #fef9c3; } to { background: transparent; } }
.sub { color: #6b7280; font-size: 12px; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; background: #e5e7eb; }
.badge.open { background: #dbeafe; } .badge.pending { background: #fef3c7; } .badge.waiting { background: #ede9fe; }
.badge.resolved { background: #dcfce7; } .badge.escalated { background: #fee2e2; }
.tag { display: inline-block; margin-right: 4px; padding: 0 6px; border: 1px solid #d1d5db; border-radius: 4px; font-size: 11px; }
.profile { display: flex; gap: 16px; align-items: center; }
.profile img { border-radius: 50%; }
.columns { display: grid; grid-template-columns: 380px 1fr; gap: 16px; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 12px 16px; }
.card label { display: block; margin: 6px 0; }
.card input, .card select, .card textarea { display: block; width: 100%; padding: 5px 8px; border: 1px solid #d1d5db; border-radius: 6px; }
.timeline { list-style: none; margin: 0; padding: 0; max-height: 60vh; overflow: auto; }
.act { padding: 4px 0; border-bottom: 1px solid #f1f5f9; }
.act .when { color: #6b7280; margin-right: 8px; font-size: 12px; }
`;

/**
 * The page's HTML: the same shell with or without the recorder's script tag and start call, or
 * with `head` (another product's tags) in their place.
 */
export function crmHtml(recorder: RecorderConfig | null, scriptSrc = '/duet-recorder.iife.js', head = ''): string {
  const rec = head || !recorder
    ? head
    : `<script src="${scriptSrc}"></script>
<script>
  window.__rec = { started: null, error: null, states: [] };
  addEventListener('DOMContentLoaded', () => {
    const rec = new DuetRecorder.Recorder(${JSON.stringify({ ...recorder, tabId: 'bench-crm' })});
    rec.on('state', (s) => window.__rec.states.push(s.state));
    rec.on('error', (e) => (window.__rec.error = e.message));
    window.__rec.recorder = rec;
    rec.start({ callId: 'bench-' + Date.now(), direction: 'inbound' }).then((id) => (window.__rec.started = id), (e) => (window.__rec.error = String(e)));
  });
</script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CRM</title><style>${CSS}</style>${rec}</head>
<body><header><span class="logo">ACME CRM</span><nav><a href="/customers" data-nav="customers">Customers</a><a href="/tickets" data-nav="tickets">Tickets</a><a href="/payment" data-nav="payment">Payment</a></nav><span style="margin-left:auto">Agent: alex</span></header>
<aside><h4>Current call</h4><div id="call-timer">00:00</div><h4>Queues</h4><ul id="queue">${['Billing', 'Outages', 'Moves', 'Cancellations', 'Sales', 'Business'].map((q) => `<li>${q}<b>0</b></li>`).join('')}</ul></aside>
<main id="main"></main><script src="/crm.js"></script></body></html>`;
}

/**
 * The tiny local http server of the page: every path that is not a file serves the shell (SPA
 * routes survive a reload). `?rec=1` serves the shell with the recorder (the first bundle);
 * `?rec=<name>` with the bundle of that name (same-run comparisons of two builds). Each bundle is
 * served at its own URL, so the browser's code cache never hands one build's code to the other.
 * With `sentryBundle`, `?rec=sentry` serves the page with Sentry's Session Replay instead
 * (sentry.ts), reporting to this server, whose `sentry` inbox counts what it received.
 */
export async function serveCrmPage(
  bundleFiles: string | Record<string, string>,
  recorder: RecorderConfig,
  sentryBundle?: string,
): Promise<{ url: string; sentry: SentryInbox; close(): Promise<void> }> {
  const files = typeof bundleFiles === 'string' ? { current: bundleFiles } : bundleFiles;
  const names = Object.keys(files);
  const bundles = new Map<string, Buffer>();
  const pages = new Map<string, string>();
  for (const [i, name] of names.entries()) {
    const src = i === 0 ? '/duet-recorder.iife.js' : `/duet-recorder.${name}.iife.js`;
    bundles.set(src, await readFile(files[name]!));
    pages.set(name, crmHtml(recorder, src));
    if (i === 0) pages.set('1', crmHtml(recorder, src));
  }
  if (sentryBundle) bundles.set('/sentry-replay.iife.js', await readFile(sentryBundle));
  const crmJs = await readFile(CRM_JS);
  const without = crmHtml(null);
  const sentry = new SentryInbox();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST') {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        if (!sentry.handle(url.pathname, Buffer.concat(body), (status, json) => res.writeHead(status, { 'content-type': 'application/json' }).end(json))) res.writeHead(404).end();
      });
      return;
    }
    const bundle = bundles.get(url.pathname);
    if (bundle) return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    if (url.pathname === '/crm.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(crmJs);
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pages.get(url.searchParams.get('rec') ?? '') ?? without);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  if (sentryBundle) pages.set('sentry', crmHtml(null, undefined, sentryHead(`http://public@127.0.0.1:${port}/1`)));
  return {
    url: `http://127.0.0.1:${port}`,
    sentry,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
