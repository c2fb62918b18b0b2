import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness/app.js';
import { browserUnavailable, launchChromium, screenshotPath } from '../harness/browser.js';

/**
 * The quality programme used like people would, in a real Chromium: a QA analyst builds a
 * scorecard in the editor (validation at the fields, reordering, preview, publish, a second
 * version), runs a three-person calibration in which each evaluator signs in and scores blind,
 * sets the reference, and the reveal shows agreement, spread and distances with the right
 * numbers; then a sampling plan is created, run, and the fairness view shows the counts.
 *
 * The calls are rows inserted like the scoring API tests do (no media): calibration and sampling
 * need the interaction, not its recording.
 */

const VIEWPORT = { width: 1366, height: 768 };
/** Polls with room for a busy machine (two cores shared by several test runs). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
const DAY = 86_400_000;

/** Monday 00:00 UTC of the current ISO week: sampled calls must fall in the week "Run now" samples. */
function weekStart(now: Date): number {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
}

async function seedCalls(server: TestServer): Promise<void> {
  const db = server.core.db;
  const users = await db.selectFrom('users').select(['id', 'username']).execute();
  const members = await db.selectFrom('team_members').select(['user_id', 'team_id']).execute();
  const id = (u: string) => users.find((x) => x.username === u)!.id;
  const now = Date.now();
  const start = weekStart(new Date(now));
  let n = 0;
  for (const agent of ['alex', 'blair', 'casey', 'devon']) {
    for (let k = 0; k < 3; k++) {
      n++;
      // Spread over this week so far, so every call is in the current period whatever the hour.
      const startedAt = new Date(start + ((now - start) * n) / 14);
      await db
        .insertInto('interactions')
        .values({
          id: randomUUID(),
          agent_id: id(agent),
          team_id: members.find((m) => m.user_id === id(agent))!.team_id,
          call_id: agent === 'alex' && k === 0 ? 'CALIB-1' : `PBX-${agent.toUpperCase()}-${k + 1}`,
          direction: 'inbound',
          status: 'ready',
          end_reason: 'ended',
          started_at: startedAt,
          ended_at: new Date(startedAt.getTime() + 240_000),
          timeline_ms: 240_000,
        })
        .execute();
    }
  }
}

describe.skipIf(browserUnavailable())('review UI: scorecard editor, three-person calibration, sampling and fairness', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];
  let sessionUrl = '';

  async function signIn(username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of (401|404)/.test(m.text())) consoleErrors.push(`${username}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${username}: ${e.message}`));
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('welcome-to-duet');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('current-user-name').waitFor({ state: 'attached' });
    return page;
  }

  const heading = (page: Page) => page.getByRole('heading', { level: 1 });

  /** Picks an answer the way a person does: a click on the option's label in the question's group. */
  async function answer(scope: Page | Locator, question: string, option: string): Promise<void> {
    await scope.getByRole('radiogroup', { name: question }).locator('label', { hasText: new RegExp(`^${option}$`) }).click();
  }

  async function scoreBlind(page: Page, answers: [string, string][], screenshot?: string): Promise<void> {
    await page.getByRole('button', { name: 'Start my blind score' }).click();
    for (const [q, a] of answers) await answer(page, q, a);
    await poll(() => page.getByTestId('autosave').textContent()).toBe('Draft saved');
    if (screenshot) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: await screenshotPath(screenshot) });
    }
    await page.getByRole('button', { name: 'Submit my score' }).click();
  }

  beforeAll(async () => {
    // UI_DIR lets a local run serve a private build of the review UI (others may be rebuilding review-ui/dist).
    server = await startTestServer(process.env.UI_DIR ? { env: { UI_DIR: process.env.UI_DIR } } : {});
    browser = await launchChromium();
    await seedCalls(server);
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  it('a QA analyst builds a scorecard in the editor, checked at the fields, and publishes two versions', async () => {
    const page = await signIn('quinn');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quality' }).click();
    await poll(() => heading(page).textContent()).toBe('Scorecards');
    // The built-in BE SURE example is one click away (the demo has it already: the click opens it).
    await page.getByRole('button', { name: /BE SURE example/ }).click();
    await poll(() => heading(page).textContent()).toBe('BE SURE (example)');
    expect(await page.getByTestId('question-count').textContent()).toBe('12');
    await page.getByRole('link', { name: 'Scorecards' }).first().click();
    await page.getByRole('link', { name: 'New scorecard' }).click();
    await poll(() => heading(page).textContent()).toBe('New scorecard');

    // Saving the empty card shows what is missing beside each field, and sends nothing.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Give the scorecard a name.').waitFor();
    await page.getByText('Give the section a title.').waitFor();
    await page.getByText('Write the question.').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/\/quality\/scorecards\/new$/);

    await page.getByLabel('Name', { exact: true }).fill('Billing calls');
    await page.getByLabel('Section title').fill('Opening');
    await page.getByLabel('Question 1.1 text').fill('Greeted the customer by name');
    await page.getByLabel('Weight (points)').fill('2');
    await page.getByRole('button', { name: '+ Add question to Opening' }).click();
    await page.getByLabel('Question 1.2 text').fill('Verified the caller');
    await page.getByRole('listitem', { name: 'Question 1.2' }).getByLabel('Critical (fails the evaluation)').check();
    // The critical check comes first in the call: move it up.
    await page.getByRole('button', { name: 'Move question 1.2 up' }).click();
    expect(await page.getByLabel('Question 1.1 text').inputValue()).toBe('Verified the caller');
    expect(await page.getByLabel('Question 1.2 text').inputValue()).toBe('Greeted the customer by name');

    await page.getByRole('button', { name: '+ Add section' }).click();
    const s2 = page.getByRole('region', { name: 'Section 2' });
    await s2.getByLabel('Section title').fill('Resolution');
    await s2.getByLabel('Question 2.1 text').fill('Resolved the issue');
    await s2.getByLabel('Answer type').selectOption({ label: 'Scale' });
    await s2.getByLabel('Weight (points)').fill('3');
    // A scale whose top is not above its bottom is refused at the field.
    await s2.getByLabel('Scale to').fill('1');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await s2.getByText('The scale must end above where it starts (e.g. 1 to 5).').waitFor();
    await s2.getByLabel('Scale to').fill('5');
    await s2.getByRole('button', { name: '+ Add question to Resolution' }).click();
    const q22 = page.getByRole('listitem', { name: 'Question 2.2' });
    await q22.getByLabel('Question 2.2 text').fill('Tone of voice');
    await q22.getByLabel('Answer type').selectOption({ label: 'Choice' });
    await q22.getByLabel('N/A allowed').check();
    await q22.getByLabel('Choice 1', { exact: true }).fill('Warm');
    await q22.getByLabel('Points', { exact: true }).nth(0).fill('2');
    await q22.getByLabel('Choice 2', { exact: true }).fill('Neutral');
    await q22.getByLabel('Points', { exact: true }).nth(1).fill('1');
    await q22.getByRole('button', { name: '+ Add choice' }).click();
    await q22.getByLabel('Choice 3', { exact: true }).fill('Cold');
    await q22.getByLabel('Points', { exact: true }).nth(2).fill('0');
    await q22.getByLabel('Guidance for evaluators (optional)').fill('Listen to the first and the last minute.');
    expect(await page.getByTestId('question-count').textContent()).toBe('4');
    await page.evaluate(() => {
      document.querySelector('[aria-label="Section 2"]')?.scrollIntoView({ block: 'start' });
      window.scrollBy(0, -80);
    });
    await page.screenshot({ path: await screenshotPath('40-scorecard-editor'), fullPage: false });

    // The preview is the evaluation form itself, with a live score.
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('dialog', { name: 'Preview: what evaluators see' });
    await preview.getByRole('radiogroup', { name: 'Tone of voice' }).locator('label', { hasText: /^N\/A$/ }).waitFor();
    await preview.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.waitForURL(/\/quality\/scorecards\/[0-9a-f-]{36}$/);
    await page.getByText('Published v1').first().waitFor();
    await page.getByTestId('versions').getByText('In use').waitFor();

    // Editing the published card saves version 2 as a draft; publishing it keeps v1 in the history.
    await page.getByRole('listitem', { name: 'Question 2.1' }).getByLabel('Guidance for evaluators (optional)').fill('5: solved on this call, nothing left for the customer to do.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByTestId('versions').getByText('v2').waitFor();
    expect(await page.getByTestId('versions').getByText('Draft', { exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: 'Publish new version' }).click();
    await page.getByText('Published v2').first().waitFor();
    expect(await page.getByTestId('versions').getByRole('listitem').count()).toBe(2);
    await page.getByRole('button', { name: 'View version 1' }).click();
    const v1 = page.getByRole('dialog', { name: 'Version 1' });
    await v1.getByText('Resolved the issue').waitFor();
    await v1.getByRole('button', { name: 'Close' }).click();
    await page.screenshot({ path: await screenshotPath('41-scorecard-versions') });
  }, 120_000);

  it('three evaluators score a call blind; the owner sets the reference; the reveal shows agreement and distances', async () => {
    const quinn = contexts[0]!.pages()[0]!;
    await quinn.getByRole('link', { name: 'Calibration' }).click();
    await quinn.getByRole('link', { name: 'New session' }).first().click();
    await quinn.getByLabel('Call id or interaction id').fill('CALIB-1');
    await quinn.getByRole('list', { name: 'Calls' }).getByRole('button', { name: /Alex Kim · CALIB-1/ }).click();
    await quinn.getByTestId('chosen-call').waitFor();
    await quinn.getByLabel('Scorecard', { exact: true }).selectOption({ label: 'Billing calls (v2)' });
    await quinn.getByLabel('Title (optional)').fill('November calibration: billing');
    // Only people who may score this call are offered; one is not enough.
    await quinn.getByRole('checkbox', { name: /Quinn Li/ }).check();
    await quinn.getByRole('button', { name: 'Create session' }).click();
    await quinn.getByText('Choose at least two evaluators.').waitFor();
    await quinn.getByRole('checkbox', { name: /Sofia Reyes/ }).check();
    await quinn.getByRole('checkbox', { name: /Ada Okafor/ }).check();
    await quinn.getByRole('button', { name: 'Create session' }).click();
    await quinn.waitForURL(/\/quality\/calibration\/[0-9a-f-]{36}$/);
    sessionUrl = quinn.url();
    const sessionId = sessionUrl.split('/').pop()!;
    await poll(() => heading(quinn).textContent()).toBe('November calibration: billing');

    // The owner sets the reference first; only she sees it until the reveal.
    const ref = quinn.getByTestId('reference-form');
    await answer(ref, 'Verified the caller', 'Yes');
    await answer(ref, 'Greeted the customer by name', 'Yes');
    await answer(ref, 'Resolved the issue', '4');
    await answer(ref, 'Tone of voice', 'Warm');
    await quinn.getByRole('button', { name: 'Save reference' }).click();
    await quinn.getByText('Reference saved.', { exact: false }).waitFor();

    await scoreBlind(quinn, [
      ['Verified the caller', 'Yes'],
      ['Greeted the customer by name', 'Yes'],
      ['Resolved the issue', '5'],
      ['Tone of voice', 'Warm'],
    ]);
    await quinn.getByText('Evaluators: 1 of 3 submitted').waitFor();

    // Sofia scores blind: she sees who submitted, never their answers nor the reference.
    const sofia = await signIn('sofia');
    await sofia.goto(sessionUrl);
    await sofia.getByText('Evaluators: 1 of 3 submitted').waitFor();
    expect(await sofia.getByTestId('reveal').count()).toBe(0);
    expect(await sofia.getByTestId('reference-form').count()).toBe(0);
    const quinnEval = await server.core.db.selectFrom('evaluations').select('id').where('calibration_session_id', '=', sessionId).executeTakeFirstOrThrow();
    const seen = await sofia.evaluate(
      async ([sid, eid]) => {
        const s = await (await fetch(`/api/scoring/calibrations/${sid}`)).json();
        const e = await fetch(`/api/scoring/evaluations/${eid}`);
        return { reference: s.reference, results: s.results, otherEvaluation: e.status };
      },
      [sessionId, quinnEval.id],
    );
    expect(seen).toEqual({ reference: null, results: null, otherEvaluation: 404 });
    await scoreBlind(sofia, [
      ['Verified the caller', 'Yes'],
      ['Greeted the customer by name', 'No'],
      ['Resolved the issue', '4'],
      ['Tone of voice', 'Warm'],
    ], '45-calibration-blind');
    await sofia.getByText('Evaluators: 2 of 3 submitted').waitFor();
    expect(await sofia.getByTestId('reveal').count()).toBe(0);

    // The owner could close now: the dialog names who would be left out. She waits for Ada.
    await quinn.reload();
    await quinn.getByText('Evaluators: 2 of 3 submitted').waitFor();
    await quinn.getByRole('button', { name: 'Close and reveal now' }).click();
    await quinn.getByRole('dialog').getByText('Ada Okafor has not submitted', { exact: false }).waitFor();
    await quinn.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    // Ada's submission is the last: the session reveals itself.
    const ada = await signIn('admin');
    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quality' }).click();
    await ada.getByRole('link', { name: 'Calibration' }).click();
    await ada.getByRole('link', { name: 'November calibration: billing' }).click();
    // An admin who scores in the session is as blind as the others: no reference, no answers.
    await ada.getByText('Evaluators: 2 of 3 submitted').waitFor();
    expect(await ada.evaluate(async (sid) => (await (await fetch(`/api/scoring/calibrations/${sid}`)).json()).reference, sessionId)).toBeNull();
    expect(await ada.getByTestId('reference-form').count()).toBe(0);
    await scoreBlind(ada, [
      ['Verified the caller', 'Yes'],
      ['Greeted the customer by name', 'Yes'],
      ['Resolved the issue', '3'],
      ['Tone of voice', 'Neutral'],
    ]);
    await ada.getByTestId('reveal').waitFor();

    // The owner's reveal, with the numbers worked out by hand (7 points: 1 + 2 + 3 + 1):
    // Quinn 7/7 = 100, Sofia 4.25/7 = 60.7, Ada 5/7 = 71.4, reference 6.25/7 = 89.3.
    await quinn.reload();
    await quinn.getByTestId('reveal').waitFor();
    expect(await quinn.getByTestId('reference-total').textContent()).toBe('89.3%');
    expect(await quinn.getByTestId('spread-range').textContent()).toBe('39.3 pts');
    // Agreement: all Yes; Yes/No/Yes; 5/4/3; Warm/Warm/Neutral → mean (1 + .667 + .333 + .667) / 4.
    expect(await quinn.getByTestId('mean-agreement').textContent()).toBe('66.7%');
    const agreement = quinn.getByTestId('answers-table');
    const rowOf = (q: string) => agreement.getByRole('row', { name: new RegExp(`^${q}`) });
    expect(await rowOf('Verified the caller').getByRole('cell').nth(4).textContent()).toBe('100%');
    expect(await rowOf('Greeted the customer by name').getByRole('cell').nth(4).textContent()).toBe('66.7%');
    expect(await rowOf('Resolved the issue').getByRole('cell').nth(4).textContent()).toBe('33.3%');
    expect(await rowOf('Tone of voice').getByRole('cell').nth(4).textContent()).toBe('66.7%');
    // Distance to the reference: mean per-question |fraction − reference| × 100.
    // Quinn .25/4 → 6.3; Sofia 1/4 → 25; Ada (.25 + .5)/4 → 18.8.
    expect(await quinn.getByTestId('distance-Quinn Li').textContent()).toBe('6.3');
    expect(await quinn.getByTestId('distance-Sofia Reyes').textContent()).toBe('25');
    expect(await quinn.getByTestId('distance-Ada Okafor').textContent()).toBe('18.8');
    // The charts carry the same numbers.
    const spread = quinn.getByTestId('chart-spread');
    expect(await spread.locator('[data-row="Sofia Reyes"] [data-value]').getAttribute('data-value')).toBe('60.7');
    expect(await spread.locator('[data-row="Ada Okafor"] [data-value]').getAttribute('data-value')).toBe('71.4');
    const distance = quinn.getByTestId('chart-distance');
    expect(await distance.locator('[data-row="Sofia Reyes"] [data-value]').getAttribute('data-value')).toBe('25');
    const agreeChart = quinn.getByTestId('chart-agreement');
    expect(await agreeChart.locator('[data-row="Resolved the issue"] [data-value]').getAttribute('data-value')).toBe('33.3');
    expect(await quinn.getByTestId('chart-history').locator('circle').count()).toBe(3);
    await quinn.getByRole('heading', { name: 'Results' }).scrollIntoViewIfNeeded();
    await quinn.screenshot({ path: await screenshotPath('42-calibration-reveal') });
    await quinn.screenshot({ path: await screenshotPath('47-calibration-reveal-full'), fullPage: true });
    await quinn.getByRole('heading', { name: 'Agreement per question' }).scrollIntoViewIfNeeded();
    await quinn.screenshot({ path: await screenshotPath('43-calibration-agreement') });
    // A participant sees the same reveal; the owner's reference is shown to all now.
    await sofia.reload();
    await sofia.getByTestId('reveal').waitFor();
    expect(await sofia.getByTestId('reference-total').textContent()).toBe('89.3%');
  }, 180_000);

  it('a sampling plan created in the UI runs, and the fairness view charts the counts', async () => {
    const quinn = contexts[0]!.pages()[0]!;
    await quinn.getByRole('link', { name: 'Sampling plans' }).click();
    await quinn.getByRole('button', { name: 'New plan' }).first().click();
    const form = quinn.getByRole('dialog', { name: 'New sampling plan' });
    // Missing fields are named at the fields, and nothing is sent.
    await form.getByRole('button', { name: 'Create plan' }).click();
    await form.getByText('Give the plan a name.').waitFor();
    await form.getByText('Name at least one evaluator.').waitFor();
    await form.getByLabel('Plan name').fill('Weekly QA sample');
    await form.getByLabel('Scorecard', { exact: true }).selectOption({ label: 'Billing calls' });
    await form.getByLabel('Calls per agent per period').fill('2');
    await form.getByLabel('Minimum duration (minutes)').fill('1');
    await form.getByRole('checkbox', { name: /Quinn Li/ }).check();
    await form.getByRole('checkbox', { name: /Sofia Reyes/ }).check();
    await form.getByRole('button', { name: 'Create plan' }).click();
    await quinn.getByRole('cell', { name: /2 per agent per week · all teams · at least 1 min/ }).waitFor();

    await quinn.getByRole('button', { name: 'Run Weekly QA sample now' }).click();
    await quinn.getByText('8 calls newly assigned.').waitFor();
    const perAgent = quinn.getByTestId('run-per-agent');
    for (const name of ['Alex Kim', 'Blair Patel', 'Casey Novak', 'Devon Shah']) {
      expect(await perAgent.locator(`[data-row="${name}"] [data-value]`).getAttribute('data-value')).toBe('2');
    }
    const perEvaluator = quinn.getByTestId('run-per-evaluator');
    expect(await perEvaluator.locator('[data-row="Quinn Li"] [data-value]').getAttribute('data-value')).toBe('4');
    expect(await perEvaluator.locator('[data-row="Sofia Reyes"] [data-value]').getAttribute('data-value')).toBe('4');
    await quinn.screenshot({ path: await screenshotPath('46-sampling-run') });

    // The plan's assignments: two calls per agent, each with an evaluator who can be changed.
    await quinn.getByRole('link', { name: 'View the assignments' }).click();
    const assignments = quinn.getByRole('region', { name: 'Assignments' });
    await poll(() => assignments.getByRole('row').count()).toBe(9); // header + 8
    await quinn.getByRole('navigation', { name: 'Quality programme' }).getByRole('link', { name: 'Fairness' }).click();
    await quinn.getByRole('button', { name: 'This week' }).click();
    await quinn.getByLabel('Count').selectOption({ label: 'Calls sampled' });
    await quinn.getByLabel('Target from plan').selectOption({ label: 'Weekly QA sample (2/week)' });
    const chart = quinn.getByTestId('fairness-agents');
    await chart.locator('[data-row="Alex Kim"] [data-value]').waitFor();
    for (const name of ['Alex Kim', 'Blair Patel', 'Casey Novak', 'Devon Shah']) {
      expect(await chart.locator(`[data-row="${name}"] [data-value]`).getAttribute('data-value')).toBe('2');
    }
    expect(await quinn.getByTestId('outside-count').textContent()).toBe('0');
    expect(await chart.locator('.chart-row-flag').count()).toBe(0);
    const evaluators = quinn.getByTestId('fairness-evaluators');
    expect(await evaluators.locator('[data-row="Quinn Li"] [data-value]').nth(1).getAttribute('data-value')).toBe('4');
    await quinn.getByRole('heading', { name: 'Summary' }).scrollIntoViewIfNeeded();
    await quinn.evaluate(() => window.scrollBy(0, 200));
    await quinn.screenshot({ path: await screenshotPath('44-fairness'), fullPage: false });
    // Nobody has evaluated yet: against the plan's 2 each, every agent is more than one short.
    await quinn.getByLabel('Count').selectOption({ label: 'Evaluations submitted' });
    await poll(() => quinn.getByTestId('outside-count').textContent()).toBe('4');
    expect(await chart.locator('.chart-row-flag').count()).toBe(4);
    // On a phone the charts redraw at the screen's width and nothing scrolls sideways.
    await quinn.setViewportSize({ width: 390, height: 844 });
    await poll(() => quinn.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await quinn.getByRole('heading', { name: 'Per agent' }).scrollIntoViewIfNeeded();
    await quinn.screenshot({ path: await screenshotPath('48-fairness-phone') });
    await quinn.setViewportSize(VIEWPORT);

    // Agents have no quality programme pages.
    const alex = await signIn('alex');
    expect(await alex.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quality' }).count()).toBe(0);
    await alex.goto(`${server.url}/quality/plans`);
    await poll(() => heading(alex).textContent()).toBe('Not allowed');
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
