/**
 * What the bench installs in the player's page before its first script (plain JavaScript, so
 * nothing of the bench's compiler leaks into the page): `window.__bench`.
 *
 * - First play: the Play button is pressed the moment it exists (a reviewer's reaction time is
 *   not the player's), and the first `playing` event and the first frame showing the right
 *   screen are stamped on the page's clock (0 = navigation start).
 * - Seek readiness, checked every animation frame (what a person can see): the audio element is
 *   not seeking, has data to play (readyState ≥ 3) and sits where the click put it, and the
 *   replayed page shows the beep counter the timeline says it should, with no loading overlay.
 * - Screen changes: a MutationObserver on the replay document sees the counter's `data-beep`
 *   step from n−1 to n and reads the audio clock right then (a microtask after rrweb applied the
 *   event); rewrites by a repositioning replayer are counted apart (`repositions`), and so are
 *   steps written on a counter element that did not exist at the previous animation frame
 *   (`rebuilt`): a replayer that rebuilds the page from its snapshot and fast-forwards replays
 *   every step since the snapshot, n−1 → n included, at whatever time the rebuild happens.
 */
export const PROBE_SCRIPT = String.raw`
(() => {
  const b = {
    beeps: [],
    playingAt: null,
    screenAt: null,
    clickedPlayAt: null,
    lastPress: 0,
    presses: 0,
    playEventAt: null,
    downAt: null,
    collect: null,
    changes: [],
    repositions: 0,
    rebuilt: 0,
    observed: null,
    /** the counter element as it was at the last animation frame */
    settled: null,
  };
  window.__bench = b;
  const audio = () => document.querySelector('[data-testid=player-audio]');
  const replayDoc = () => document.querySelector('[data-testid=replay-root] iframe')?.contentDocument ?? null;
  const overlay = () => document.querySelector('.stage-overlay');
  b.shownBeep = () => {
    const v = replayDoc()?.getElementById('beep')?.getAttribute('data-beep');
    return v == null ? null : Number(v);
  };
  b.beepsBefore = (t) => {
    let lo = 0, hi = b.beeps.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (b.beeps[mid] < t) lo = mid + 1; else hi = mid; }
    return lo;
  };
  // The screen is right for audio time t (ms): within 2 ms of a beep either side counts.
  b.screenRight = (t) => {
    const shown = b.shownBeep();
    if (shown == null || overlay()) return false;
    return shown === b.beepsBefore(t) || shown === b.beepsBefore(t - 2) || shown === b.beepsBefore(t + 2);
  };
  b.log = [];
  for (const type of ['loadstart', 'play', 'playing', 'pause', 'waiting', 'emptied', 'seeking', 'seeked', 'canplay', 'abort', 'error', 'stalled', 'suspend']) {
    document.addEventListener(type, (e) => { if (e.target.tagName === 'AUDIO' && b.log.length < 200) b.log.push([type, Math.round(performance.now()), e.target.currentTime]); }, true);
  }
  // The audio's last state change, kept with each screen change (what was the player doing).
  b.lastMedia = null;
  for (const type of ['play', 'playing', 'pause', 'waiting', 'seeking', 'seeked', 'ratechange', 'emptied', 'loadstart', 'canplay']) {
    document.addEventListener(type, (e) => { if (e.target.tagName === 'AUDIO') b.lastMedia = [type, performance.now()]; }, true);
  }
  document.addEventListener('play', () => { if (b.playEventAt == null) b.playEventAt = performance.now(); }, true);
  document.addEventListener('playing', () => { if (b.playingAt == null) b.playingAt = performance.now(); }, true);
  window.addEventListener('pointerdown', () => { b.downAt = performance.now(); }, true);

  const onMutations = (records) => {
    if (!b.collect) return;
    const a = audio();
    if (!a || a.paused || a.seeking) return;
    for (const r of records) {
      if (r.attributeName !== 'data-beep' || r.target.id !== 'beep') continue;
      // Only a step from beep n−1 to n is a change the fixture timed. A replayer repositioning
      // (rebuild from the segment's snapshot, then a diff) rewrites the attribute with the value it
      // already showed, or jumps several beeps after a seek: not a moment to compare with a beep.
      const from = Number(r.oldValue);
      const to = Number(r.target.getAttribute('data-beep'));
      if (to !== from + 1) { b.repositions++; continue; }
      if (r.target !== b.settled) { b.rebuilt++; continue; }
      const now = performance.now();
      b.changes.push({
        beep: to, audioMs: a.currentTime * 1000, rate: a.playbackRate, phase: b.collect, at: now,
        // for reading the odd one: how many counter writes came in the same batch, and the audio's last event
        batch: records.filter((x) => x.attributeName === 'data-beep').length,
        lastMedia: b.lastMedia ? [b.lastMedia[0], Math.round(now - b.lastMedia[1])] : null,
      });
    }
  };
  const observer = new MutationObserver(onMutations);
  const frame = () => {
    requestAnimationFrame(frame);
    const doc = replayDoc();
    if (doc && doc !== b.observed) {
      observer.disconnect();
      observer.observe(doc, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-beep'] });
      b.observed = doc;
    }
    b.settled = doc?.getElementById('beep') ?? null;
    // Press Play once it exists; again if the press did nothing (the button can be on screen a
    // frame before the player's clock is wired up).
    if (b.playEventAt == null && (b.clickedPlayAt == null || performance.now() - b.lastPress > 250)) {
      const play = document.querySelector('button[aria-label="Play"]');
      if (play) { b.lastPress = performance.now(); if (b.clickedPlayAt == null) b.clickedPlayAt = b.lastPress; b.presses++; play.click(); }
    }
    if (b.screenAt == null && b.playingAt != null) {
      const a = audio();
      if (a && b.screenRight(a.currentTime * 1000)) b.screenAt = performance.now();
    }
  };
  requestAnimationFrame(frame);

  /** Resolves at the first frame after the next pointerdown where audio and screen are both ready. */
  b.waitSeek = (timeoutMs) => new Promise((resolve) => {
    b.downAt = null;
    const started = performance.now();
    let audioAt = null, screenAt = null;
    const check = () => {
      const now = performance.now();
      if (b.downAt == null) {
        if (now - started > timeoutMs) return resolve({ error: 'no click arrived' });
        return requestAnimationFrame(check);
      }
      const a = audio();
      const t = a.currentTime * 1000;
      if (audioAt == null && !a.seeking && a.readyState >= 3 && now > b.downAt) audioAt = now;
      if (screenAt == null && b.screenRight(t)) screenAt = now;
      if (audioAt != null && screenAt != null) {
        return resolve({ ms: Math.max(audioAt, screenAt) - b.downAt, audioMs: audioAt - b.downAt, screenMs: screenAt - b.downAt, atMs: t });
      }
      if (now - b.downAt > timeoutMs) return resolve({ error: 'not ready', atMs: t, shown: b.shownBeep(), expected: b.beepsBefore(t), seeking: a.seeking, readyState: a.readyState, overlay: overlay()?.textContent ?? null });
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
})();
`;

/**
 * rrweb's own Replayer over the whole hour, for the baseline: one Replayer built from every event
 * (as a player without a seek index would), seeking with `pause(offset)`; ready at the first
 * frame that shows the right counter. Runs in a blank page after rrweb's UMD build.
 */
export const BASELINE_SCRIPT = String.raw`
window.__baseline = {
  load(events) {
    const t0 = performance.now();
    const root = document.getElementById('root');
    const r = new rrweb.Replayer(events, { root, UNSAFE_replayCanvas: false, mouseTail: false, skipInactive: false, triggerFocus: false, showWarning: false, pauseAnimation: true });
    r.pause(0);
    this.r = r;
    this.first = events[0].timestamp;
    return performance.now() - t0;
  },
  seek(offsetMs, expected, timeoutMs) {
    const r = this.r;
    return new Promise((resolve) => {
      const t0 = performance.now();
      r.pause(offsetMs);
      const check = () => {
        const v = r.iframe.contentDocument?.getElementById('beep')?.getAttribute('data-beep');
        const now = performance.now();
        if (v != null && Number(v) === expected) return resolve({ ms: now - t0 });
        if (now - t0 > timeoutMs) return resolve({ error: 'not ready', shown: v, expected });
        requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
  },
};
`;
