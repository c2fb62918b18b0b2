import type { Page } from 'playwright-core';

/**
 * One pass of the scripted agent, about 35 s of fixed actions at fixed times (Playwright's
 * trusted input: real key, click and wheel events). It starts and ends on the customer list with
 * an empty search. Kinds and amount of DOM work are chosen to resemble Sentry's published heavy
 * replay scenario (load the app, open a data grid, add 4 columns, wait for results, add another
 * column): see BENCHMARKS.md, `recorder`.
 */
export async function scenarioPass(page: Page): Promise<void> {
  const wait = (ms: number) => page.waitForTimeout(ms);
  const type = (text: string, delay: number) => page.keyboard.type(text, { delay });

  // 1. Search the customer list: every keystroke rebuilds the 400-row table (filtered).
  await wait(1500);
  await page.click('#search');
  await type('mar', 150);
  await wait(800);
  await type('ia', 150);
  await wait(1000);
  await page.fill('#search', '');
  await wait(800);
  await type('lee', 150);
  await wait(1000);

  // 2. Open a customer (pushState + view swap), fill the wrap-up form (masked and unmasked inputs).
  await page.click('#customer-rows tr:first-child a');
  await wait(1000);
  await page.click('#f-note');
  await type('Customer asked about the late fee, waived once.', 40);
  await page.click('#f-dob');
  await type('1984-02-29', 60);
  await page.selectOption('#f-reason', 'Outage');
  await page.click('#save');
  await wait(1000);

  // 3. Back to the list (popstate), clear the search (full list again), scroll it.
  await page.goBack();
  await wait(1000);
  await page.fill('#search', '');
  await wait(1200);
  await page.mouse.move(700, 400);
  for (let i = 0; i < 6; i++) {
    await page.mouse.wheel(0, 500);
    await wait(200);
  }
  await wait(800);

  // 4. The ticket grid: add 4 columns, waiting after each, sort twice, add another column.
  await page.click('nav a[data-nav="tickets"]');
  await wait(1500);
  for (let i = 0; i < 4; i++) {
    await page.click('#add-column');
    await wait(1500);
  }
  await page.click('th[data-sort="priority"]');
  await wait(800);
  await page.click('th[data-sort="priority"]');
  await wait(800);
  await page.click('#add-column');
  await wait(1500);

  // 5. Take a card payment: the card fields pause the recorder (PCI); leaving them resumes it.
  await page.click('nav a[data-nav="payment"]');
  await wait(800);
  await page.click('#p-amount');
  await type('5', 80);
  await page.click('#p-holder');
  await type('Jordan Lee', 60);
  await page.click('#p-card');
  await type('4111 1111 1111 1111', 60);
  await page.click('#p-exp');
  await type('12/29', 60);
  await page.click('#p-cvc');
  await type('123', 60);
  await page.click('#pay');
  await wait(1200);

  // 6. Back to the customer list through the navigation bar.
  await page.click('nav a[data-nav="customers"]');
  await page.fill('#search', '');
  await wait(2000);
}

/**
 * Collects long tasks from the start of the document (buffered), the measurement Sentry's
 * web-benchmark makes for its TBT (which sums whole durations; we keep start and duration).
 */
export const LONG_TASK_OBSERVER = `(() => {
  const perf = (window.__perf = { longTasks: [], marks: [] });
  // a clock mark for the CPU profile: a 3 ms busy loop under a name the profile shows
  window.__benchClockMark = function __benchClockMark() {
    const t = performance.now();
    while (performance.now() - t < 3) {}
    perf.marks.push(t);
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) perf.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    perf.error = String(e);
  }
})();`;

export interface LongTaskFigures {
  /** total blocking time: Σ (duration − 50 ms) over long tasks */
  tbtMs: number;
  /** Σ duration over long tasks: what Sentry's web-benchmark reports as "TBT" */
  longTaskMs: number;
  longTasks: number;
  maxLongTaskMs: number;
}

/** The same over the long tasks that start after `fromMs` (the load event's end): the scenario without the page load. */
export function afterLoad(tasks: [number, number][], fromMs: number): { tbtAfterLoadMs: number; longTasksAfterLoad: number } {
  const later = tasks.filter(([start]) => start >= fromMs);
  const f = longTaskFigures(later);
  return { tbtAfterLoadMs: f.tbtMs, longTasksAfterLoad: f.longTasks };
}

export function longTaskFigures(tasks: [number, number][]): LongTaskFigures {
  let tbt = 0;
  let sum = 0;
  let max = 0;
  for (const [, d] of tasks) {
    tbt += Math.max(0, d - 50);
    sum += d;
    max = Math.max(max, d);
  }
  return { tbtMs: tbt, longTaskMs: sum, longTasks: tasks.length, maxLongTaskMs: max };
}
