/**
 * A quick probe (not part of `npm run bench`): the long tasks of one big re-render (300 rows
 * re-added) with the recorder from two bundle builds, recording offline (no server needed).
 * `node --import tsx bench/recorder/ab-probe.ts <bundle.iife.js>...`
 */
import { launchChromium } from '../../test/harness/browser.js';
import { fakeMicArgs } from '../../test/recorder/crm-page.js';
import { serveCrmPage } from './page.js';
import { LONG_TASK_OBSERVER } from './scenario.js';

for (const bundle of process.argv.slice(2)) {
  for (const rec of [false, true]) {
    const crm = await serveCrmPage(bundle, { serverUrl: 'http://127.0.0.1:9', token: 'duet_rt_probe' });
    const browser = await launchChromium([...fakeMicArgs('/dev/null')]);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(LONG_TASK_OBSERVER);
    await page.goto(`${crm.url}/customers${rec ? '?rec=1' : ''}`);
    await page.waitForTimeout(3000);
    const out: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.fill('#search', 'zzz');
      await page.waitForTimeout(400);
      await page.evaluate(() => ((window as unknown as { __perf: { longTasks: unknown[] } }).__perf.longTasks.length = 0));
      await page.fill('#search', '');
      await page.waitForTimeout(800);
      const lt = await page.evaluate(() => (window as unknown as { __perf: { longTasks: [number, number][] } }).__perf.longTasks);
      out.push(lt.map(([, d]) => d.toFixed(0)).join('+') || '-');
    }
    console.log(`${bundle.split('/').slice(-2).join('/')} ${rec ? 'with   ' : 'without'}: long tasks per re-render: ${out.join('  ')}`);
    await browser.close();
    await crm.close();
  }
}
