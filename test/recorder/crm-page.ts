import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BUNDLE = fileURLToPath(new URL('../../recorder-agent/bundle/duet-recorder.iife.js', import.meta.url));

/** One spoken phrase with silence around it, 48 kHz mono: the fake microphone loops it. */
export async function speechWav(dir: string, name: string, text: string, voice: string): Promise<string> {
  const raw = path.join(dir, `${name}-raw.wav`);
  const out = path.join(dir, `${name}.wav`);
  await run('espeak-ng', ['-v', voice, '-s', '170', '-w', raw, text]);
  await run('sox', [raw, '-r', '48000', '-c', '1', out, 'pad', '0.4', '1.2']);
  return out;
}

/**
 * A small CRM from another origin than Duet, as a contact center's own application would be:
 * inputs (masked, unmasked), a payment form with card fields, a ticking clock that keeps the DOM
 * changing, the recorder's script-tag bundle, and the customer's voice as an audio element.
 * `window.makeRecorder(options)` creates `window.rec` and collects its events in `window.log`,
 * and Content-Security-Policy violations in `window.log.csp`. `csp` serves the page under that policy.
 */
export async function serveCrm(customerWav: Buffer | null, options: { csp?: string } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const bundle = await readFile(BUNDLE);
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>CRM</title><script src="/duet-recorder.iife.js"></script></head>
<body><h1>Customer lookup</h1><p>Time: <span id="clock"></span></p>
<label>Name <input id="name" autocomplete="name"></label>
<label>Note <input id="note" data-duet-unmask></label>
<form id="pay"><h2>Payment</h2><label>Card number <input id="card" autocomplete="cc-number" inputmode="numeric"></label>
<label>CVC <input id="cvc" autocomplete="cc-csc"></label></form>
<button id="done">Done</button>
<div id="verify" data-duet-sensitive-area hidden>Verification answer: AREA-SECRET-7731</div>
<audio id="customer" src="/customer.wav" loop></audio>
<script>
  setInterval(() => { document.getElementById('clock').textContent = new Date().toISOString(); }, 100);
  window.log = { states: [], errors: [], warnings: [], full: [], csp: [] };
  document.addEventListener('securitypolicyviolation', (e) => window.log.csp.push(e.effectiveDirective));
  window.customerStream = async () => { const el = document.getElementById('customer'); await el.play(); return el.captureStream(); };
  window.makeRecorder = (options) => {
    window.rec = new DuetRecorder.Recorder(options);
    window.rec.on('state', (s) => window.log.states.push(s));
    window.rec.on('error', (e) => window.log.errors.push(e));
    window.rec.on('warning', (w) => window.log.warnings.push(w));
    window.rec.on('outbox-full', (d) => window.log.full.push(...d));
    return window.rec;
  };
</script></body></html>`;
  const server = http.createServer((req, res) => {
    if (req.url === '/duet-recorder.iife.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    if (req.url === '/customer.wav' && customerWav) return void res.writeHead(200, { 'content-type': 'audio/wav' }).end(customerWav);
    res.writeHead(200, { 'content-type': 'text/html', ...(options.csp ? { 'content-security-policy': options.csp } : {}) }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Chromium flags for a fake microphone that plays `wav` and media that may autoplay. */
export const fakeMicArgs = (wav: string) => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required'];
