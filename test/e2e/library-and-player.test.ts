import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalizeJobId } from '../../core/src/index.js';
import { loadRecordedSession, type RecordedSession } from '../fixtures/recorded.js';
import { startTestServer, type TestServer } from '../harness/app.js';
import { browserUnavailable, launchChromium, screenshotPath } from '../harness/browser.js';
import { recorderFor, sendRecordedSession, waitAnalysed } from '../harness/recorded-interactions.js';
import { Page as Crafted } from '../harness/rrweb-craft.js';

/**
 * The interaction library and the synced player, used like a person would: a supervisor filters
 * the library, opens a call recorded by a real Chromium and sent through ingest and finalization,
 * plays it, seeks by clicking the timeline and by keyboard; the replayed DOM and the audio clock
 * must agree. An agent sees only their own calls.
 */

const REPLAY_DOC = `document.querySelector('[data-testid=replay-root] iframe')?.contentDocument`;

async function replayText(page: Page, selector: string): Promise<string | null> {
  return page.evaluate(`${REPLAY_DOC}?.querySelector(${JSON.stringify(selector)})?.textContent ?? null`);
}

async function replayHas(page: Page, selector: string): Promise<boolean> {
  return page.evaluate(`Boolean(${REPLAY_DOC}?.querySelector(${JSON.stringify(selector)}))`);
}

async function audioSeconds(page: Page): Promise<number> {
  return page.evaluate(`document.querySelector('[data-testid=player-audio]').currentTime`);
}

/** Seconds shown by the recorded page's "On call 00:07" timer, as replayed. */
async function callTimer(page: Page): Promise<number> {
  const text = (await replayText(page, '#call-timer')) ?? '';
  const m = /^(\d+):(\d+)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

async function clickTimelineAt(page: Page, ms: number, timelineMs: number): Promise<void> {
  const box = (await page.getByRole('slider', { name: 'Position' }).boundingBox())!;
  await page.mouse.click(box.x + (box.width * ms) / timelineMs, box.y + box.height / 2);
}

async function signIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('welcome-to-duet');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('current-user-name').waitFor({ state: 'attached' });
}

/** A second tab with its own page: a billing screen whose heading changes at 6 s and 14 s. */
function billingTab(start: number): { stream: string; events: ReturnType<Crafted['snapshot']> } {
  const p = new Crafted();
  const events = [
    ...p.snapshot(start + 100, 'http://billing.example.test/invoices', [p.el('title', {}, ['Billing'])], [p.el('h1', { id: 'billing-title' }, [p.text('Invoices: opened', 'title-text')])]),
    p.setText(start + 6000, 'title-text', 'Invoices: credit note drafted'),
    p.setText(start + 14000, 'title-text', 'Invoices: credit note sent'),
  ];
  return { stream: 'screen:billing', events };
}

describe.skipIf(browserUnavailable())('review UI: library and synced player', () => {
  let server: TestServer;
  let browser: Browser;
  let rec: RecordedSession;
  let alex: Socket;
  let casey: Socket;
  let alexCall: string;
  let tabsCall: string;
  let timelineMs: number;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    rec = await loadRecordedSession();
    server = await startTestServer();
    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
    alex = await recorderFor(server, 'alex');
    casey = await recorderFor(server, 'casey');
    alexCall = await sendRecordedSession(server, alex, rec, { callId: 'CALL-ALEX-1' });
    const start = rec.session.startEpochMs;
    tabsCall = await sendRecordedSession(server, alex, rec, {
      callId: 'CALL-ALEX-TABS',
      screens: [{ stream: 'screen:crm' }, billingTab(start)],
      focus: [
        { stream: 'screen:crm', atMs: 0 },
        { stream: 'screen:billing', atMs: 5000 },
        { stream: 'screen:crm', atMs: 16000 },
      ],
    });
    await sendRecordedSession(server, casey, rec, { callId: 'CALL-CASEY-1' });
    timelineMs = (await waitAnalysed(server, alexCall)).timelineMs;
    await waitAnalysed(server, tabsCall);
  }, 180_000);

  afterAll(async () => {
    alex?.close();
    casey?.close();
    await browser?.close();
    await server?.stop();
  });

  it('lands a supervisor on the team library, filters by agent and call id', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) consoleErrors.push(m.text());
    });
    await signIn(page, server.url, 'sofia');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Team interactions');
    const table = page.getByRole('region', { name: 'Interactions' });
    await expect.poll(() => table.getByRole('row').count()).toBe(4); // header + 3
    await page.getByLabel('Agent').selectOption({ label: 'Alex Kim' });
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    expect(await table.getByText('Casey Novak').count()).toBe(0);
    await page.getByLabel('Call id').fill('CALL-ALEX-1');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    expect(page.url()).toMatch(/agent=.*call=CALL-ALEX-1/);
    await page.getByLabel('Call id').fill('');
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    await page.screenshot({ path: await screenshotPath('20-library-supervisor') });
    await page.close();
  });

  it('plays a recorded call with the screen following the audio, seeks by click and by keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) consoleErrors.push(m.text());
    });
    await signIn(page, server.url, 'sofia');
    await page.getByLabel('Call id').fill('CALL-ALEX-1');
    await expect.poll(() => page.getByRole('region', { name: 'Interactions' }).getByRole('row').count()).toBe(2);
    await page.getByRole('link', { name: /^Replay Alex Kim CALL-ALEX-1/ }).click();
    await page.waitForURL(`**/interactions/${alexCall}`);

    // The replay iframe is sandboxed without scripts.
    await expect.poll(() => replayHas(page, '#lookup'), { timeout: 15_000 }).toBe(true);
    expect(await page.locator('[data-testid=replay-root] iframe').getAttribute('sandbox')).toBe('allow-same-origin');
    // Peaks drawn: the two lanes exist.
    expect(await page.locator('canvas[data-lane=agent]').count()).toBe(2);
    expect(await page.locator('canvas[data-lane=customer]').count()).toBe(2);

    // Click the timeline 1 s after the real navigation to the payment page.
    const payment = rec.session.navigations.find((n) => n.kind === 'navigation')!;
    const target = payment.metaAtMs! + 1200;
    await clickTimelineAt(page, target, timelineMs);
    await expect.poll(() => audioSeconds(page)).toBeCloseTo(target / 1000, 0);
    expect(Math.abs((await audioSeconds(page)) * 1000 - target)).toBeLessThan(150);
    await expect.poll(() => replayHas(page, '#cc-number')).toBe(true);
    expect(await replayHas(page, '#lookup')).toBe(false);
    await page.screenshot({ path: await screenshotPath('21-player-payment') });

    // Keyboard: Home, then → three times: 15 s, in the order view with the refund not yet clicked.
    await page.getByRole('slider', { name: 'Position' }).focus();
    await page.keyboard.press('Home');
    await expect.poll(() => audioSeconds(page)).toBe(0);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => audioSeconds(page)).toBeCloseTo(15, 1);
    await expect.poll(() => replayHas(page, '#order-view:not([hidden])')).toBe(true);
    expect(await replayText(page, '#refund-status')).toBe('');
    // J goes back 10 s: the lookup screen again, and the page's own call timer agrees with the clock.
    await page.keyboard.press('j');
    await expect.poll(() => audioSeconds(page)).toBeCloseTo(5, 1);
    await expect.poll(() => replayHas(page, '#lookup-view:not([hidden])')).toBe(true);
    const timerAt5 = await callTimer(page);
    await page.keyboard.press('l');
    await expect.poll(() => audioSeconds(page)).toBeCloseTo(15, 1);
    await expect.poll(() => callTimer(page)).toBeGreaterThanOrEqual(timerAt5 + 9);
    expect(await callTimer(page)).toBeLessThanOrEqual(timerAt5 + 11);

    // Play through the refund click: the replayed page shows the refund as the audio passes it.
    const refundAt = rec.session.actions.find((a) => a.action.startsWith('click "Refund'))!.atMs;
    await clickTimelineAt(page, refundAt - 1500, timelineMs);
    await expect.poll(() => replayText(page, '#refund-status')).toBe('');
    await page.keyboard.press('k');
    await expect.poll(() => page.getByRole('button', { name: 'Pause', exact: true }).count()).toBe(1);
    await expect.poll(() => replayText(page, '#refund-status'), { timeout: 8000 }).not.toBe('');
    const [audioAt, timerSec] = [await audioSeconds(page), await callTimer(page)];
    expect(audioAt * 1000).toBeGreaterThan(refundAt - 200);
    await page.waitForTimeout(1500);
    expect(await audioSeconds(page)).toBeGreaterThan(audioAt + 1);
    // Screen kept up with the audio while playing (the page's timer ticks once a second).
    expect(await callTimer(page)).toBeGreaterThanOrEqual(timerSec + 1);
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('button', { name: 'Play', exact: true }).count()).toBe(1);

    // Speed from the keyboard and the select.
    await page.keyboard.press('>');
    expect(await page.evaluate(`document.querySelector('[data-testid=player-audio]').playbackRate`)).toBe(1.25);
    await page.getByLabel('Speed').selectOption('3');
    expect(await page.evaluate(`document.querySelector('[data-testid=player-audio]').playbackRate`)).toBe(3);
    await page.getByLabel('Speed').selectOption('1');

    // Skip dead air: playing into the 3 s silence jumps to just before the next words.
    const dead = rec.session.deadAir;
    await page.getByLabel('Skip dead air').check();
    await clickTimelineAt(page, dead.startMs + 400, timelineMs);
    await page.keyboard.press('k');
    await expect.poll(() => audioSeconds(page), { timeout: 5000 }).toBeGreaterThan((dead.endMs - 600) / 1000);
    await page.keyboard.press('k');
    await page.getByLabel('Skip dead air').uncheck();

    // Inside the PCI pause the player says so.
    await clickTimelineAt(page, (rec.session.pause.startMs + rec.session.pause.endMs) / 2, timelineMs);
    await expect.poll(() => page.getByText(/Recording paused here/).count()).toBe(1);
    await page.screenshot({ path: await screenshotPath('22-player-pci-pause') });

    // Share the moment: the link opens the interaction at that time.
    await clickTimelineAt(page, 7000, timelineMs);
    await page.getByRole('button', { name: 'Share this moment' }).click();
    const link = await page.getByLabel('Link to this moment').inputValue();
    expect(link).toMatch(new RegExp(`/interactions/${alexCall}\\?t=\\d+$`));
    const t = Number(new URL(link).searchParams.get('t'));
    expect(Math.abs(t - 7000)).toBeLessThan(150);
    const shared = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await shared.goto(link); // signed out: through the login page and back to the moment
    await shared.getByLabel('Username').fill('sofia');
    await shared.getByLabel('Password').fill('welcome-to-duet');
    await shared.getByRole('button', { name: 'Sign in' }).click();
    await shared.waitForURL(`**/interactions/${alexCall}?t=${t}`);
    await expect.poll(() => audioSeconds(shared), { timeout: 15_000 }).toBeCloseTo(t / 1000, 1);
    await expect.poll(() => replayHas(shared, '#lookup-view:not([hidden])'), { timeout: 15_000 }).toBe(true);
    await shared.close();

    // Voice only hides the screen; the phone layout stacks everything.
    await page.getByLabel('Voice only').check();
    expect(await page.locator('[data-testid=replay-root]').count()).toBe(0);
    await page.getByLabel('Screen and voice').check();
    await expect.poll(() => replayHas(page, '#call-timer'), { timeout: 15_000 }).toBe(true);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: await screenshotPath('23-player-phone'), fullPage: true });
    await page.close();
  }, 120_000);

  it('shows the focused tab of a two-tab call and lets the viewer pick the other', async () => {
    // A common laptop screen: the recorded screen, the timeline and the controls fit in one view.
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await signIn(page, server.url, 'sofia');
    await page.goto(`${server.url}/interactions/${tabsCall}?t=8000`);
    const picker = page.getByRole('group', { name: 'Recorded tabs' });
    await picker.waitFor();
    // At 8 s the agent works in the billing tab: it is on show, with its state at 8 s.
    await expect.poll(() => replayText(page, '#billing-title'), { timeout: 15_000 }).toBe('Invoices: credit note drafted');
    expect(await picker.getByRole('button', { name: /Follow focus \(billing\)/ }).getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: await screenshotPath('24-player-two-tabs-laptop') });
    const controls = (await page.getByRole('button', { name: 'Share this moment' }).boundingBox())!;
    expect(controls.y + controls.height).toBeLessThanOrEqual(768);
    // Pick the CRM tab by hand.
    await picker.getByRole('button', { name: 'crm', exact: true }).click();
    await expect.poll(() => replayHas(page, '#call-timer'), { timeout: 15_000 }).toBe(true);
    // Following focus again: after 16 s the CRM tab is back on its own.
    await picker.getByRole('button', { name: /Follow focus/ }).click();
    await expect.poll(() => replayHas(page, '#billing-title')).toBe(true);
    await clickTimelineAt(page, 17_000, timelineMs);
    await expect.poll(() => replayHas(page, '#call-timer'), { timeout: 15_000 }).toBe(true);
    await page.close();
  }, 90_000);

  it('pins coaching comments to moments: on the timeline, jump there when clicked; the agent sees only the shared one', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('console', (m) => {
      // The empty comment below is refused on purpose (400): that one is expected.
      if (m.type() === 'error' && !/status of (401|400)/.test(m.text())) consoleErrors.push(m.text());
    });
    await signIn(page, server.url, 'sofia');
    await page.goto(`${server.url}/interactions/${alexCall}?t=9000`);
    await expect.poll(() => audioSeconds(page), { timeout: 15_000 }).toBeCloseTo(9, 1);
    const panel = page.getByRole('region', { name: /^Comments/ });
    await expect.poll(() => panel.getByText(/No comments yet/).count()).toBe(1);

    // A comment shared with the agent at the current time (9 s).
    await panel.getByRole('button', { name: /Comment at 0:09/ }).click();
    expect(await panel.getByTestId('comment-at').textContent()).toBe('0:09');
    await panel.getByLabel('Comment', { exact: true }).fill('Nice: you confirmed the order number before searching.');
    await panel.getByLabel('Visible to Alex Kim').check();
    await panel.getByRole('button', { name: 'Add comment' }).click();
    await expect.poll(() => panel.getByTestId('comment').count()).toBe(1);
    // A private one for reviewers at 20 s, placed by clicking the timeline first.
    await clickTimelineAt(page, 20_000, timelineMs);
    await expect.poll(() => panel.getByRole('button', { name: /Comment at 0:(19|20)/ }).count()).toBe(1);
    await panel.getByRole('button', { name: /Comment at/ }).click();
    await panel.getByLabel('Comment', { exact: true }).fill('Long hold here: check whether the CRM search was slow.');
    // An empty comment is refused with the reason, and nothing is added.
    await panel.getByLabel('Comment', { exact: true }).fill('   ');
    await panel.getByRole('button', { name: 'Add comment' }).click();
    await expect.poll(() => panel.getByText(/empty comment says nothing/i).count()).toBe(1);
    await panel.getByLabel('Comment', { exact: true }).fill('Long hold here: check whether the CRM search was slow.');
    await panel.getByRole('button', { name: 'Add comment' }).click();
    await expect.poll(() => panel.getByTestId('comment').count()).toBe(2);
    const pinned = await panel.getByTestId('comment').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-at-ms'))));
    expect(Math.abs(pinned[0]! - 9000)).toBeLessThan(300);
    expect(Math.abs(pinned[1]! - 20_000)).toBeLessThan(300);
    expect(await panel.getByText('Private').count()).toBe(1);
    expect(await panel.getByText('Shared with agent').count()).toBe(1);

    // Both are on the timeline; clicking a pin jumps exactly to its moment.
    const pins = page.getByTestId('comment-pin');
    expect(await pins.count()).toBe(2);
    await page.getByRole('slider', { name: 'Position' }).focus();
    await page.keyboard.press('Home');
    await expect.poll(() => audioSeconds(page)).toBe(0);
    await pins.first().click();
    await expect.poll(() => audioSeconds(page)).toBeCloseTo(pinned[0]! / 1000, 2);
    await expect.poll(() => replayHas(page, '#lookup-view:not([hidden])'), { timeout: 15_000 }).toBe(true);
    // And so does a comment's time in the list.
    await panel.getByRole('button', { name: /^Play from 0:(19|20)/ }).click();
    await expect.poll(() => audioSeconds(page)).toBeCloseTo(pinned[1]! / 1000, 2);
    await page.screenshot({ path: await screenshotPath('28-player-comments-laptop') });

    // The author rewords the private note.
    await panel.getByTestId('comment').nth(1).getByRole('button', { name: 'Edit' }).click();
    await panel.getByLabel('Comment', { exact: true }).fill('Long hold: the CRM search took 12 s. Worth raising with IT.');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => panel.getByText('Long hold: the CRM search took 12 s. Worth raising with IT.').count()).toBe(1);
    expect(await panel.getByText('edited', { exact: true }).count()).toBe(1);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: await screenshotPath('29-player-comments-phone'), fullPage: true });
    await page.close();

    // The agent: only the shared comment, on the timeline and in the list; no way to add one.
    const agent = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await signIn(agent, server.url, 'alex');
    await agent.goto(`${server.url}/interactions/${alexCall}`);
    const theirs = agent.getByRole('region', { name: /^Comments/ });
    await expect.poll(() => theirs.getByTestId('comment').count(), { timeout: 15_000 }).toBe(1);
    expect(await theirs.getByText('Nice: you confirmed the order number before searching.').count()).toBe(1);
    expect(await theirs.getByText(/Long hold/).count()).toBe(0);
    expect(await agent.getByTestId('comment-pin').count()).toBe(1);
    expect(await theirs.getByRole('button', { name: /Comment at/ }).count()).toBe(0);
    await agent.getByTestId('comment-pin').click();
    await expect.poll(() => audioSeconds(agent)).toBeCloseTo(pinned[0]! / 1000, 2);
    await agent.screenshot({ path: await screenshotPath('30-player-comments-agent') });
    await agent.close();
  }, 90_000);

  it('shows an agent only their own calls, and another agent’s link as not found', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(page, server.url, 'casey');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your interactions');
    await expect.poll(() => page.getByText('CALL-CASEY-1').count()).toBe(1);
    expect(await page.getByText('CALL-ALEX-1').count()).toBe(0);
    expect(await page.getByText('CALL-ALEX-TABS').count()).toBe(0);
    await page.screenshot({ path: await screenshotPath('25-library-agent-phone'), fullPage: true });
    await page.goto(`${server.url}/interactions/${alexCall}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Interaction not found');
    expect(await page.locator('audio').count()).toBe(0);
    await page.close();
  });

  it('says when media is still being processed, with progress, and when processing failed', async () => {
    const alexId = (await server.core.db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow()).id;
    const team = await server.core.db.selectFrom('team_members').select('team_id').where('user_id', '=', alexId).executeTakeFirstOrThrow();
    const id = randomUUID();
    const now = new Date();
    await server.core.db
      .insertInto('interactions')
      .values({ id, agent_id: alexId, team_id: team.team_id, call_id: 'CALL-PROCESSING', direction: 'inbound', status: 'finalizing', end_reason: 'ended', started_at: new Date(now.getTime() - 60_000), ended_at: now, audio_channels: 2, timeline_ms: null, manifest_store: null, manifest_key: null, finalize_error: null })
      .execute();
    await server.core.db.insertInto('job_runs').values({ job_id: finalizeJobId(id), type: 'finalize-interaction', payload: JSON.stringify({ interactionId: id }), state: 'running', progress: 0.42, last_error: null, finished_at: null }).execute();

    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await signIn(page, server.url, 'sofia');
    await page.goto(`${server.url}/interactions/${id}`);
    await expect.poll(() => page.getByRole('progressbar', { name: 'Processing' }).getAttribute('aria-valuenow'), { timeout: 10_000 }).toBe('42');
    expect(await page.getByText('Preparing the recording').count()).toBe(1);
    await page.screenshot({ path: await screenshotPath('27-player-processing') });

    await server.core.db.updateTable('interactions').set({ status: 'failed', finalize_error: 'the audio could not be decoded' }).where('id', '=', id).execute();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('the audio could not be decoded');
    expect(await page.getByText('This recording cannot be played').count()).toBe(1);
    await page.close();
  }, 60_000);

  it('logged no errors in the browser console', () => {
    const errors = consoleErrors.filter((e) => !/status of 404/.test(e));
    expect(errors, errors.join('\n')).toEqual([]);
  });
});
