import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ReactNode, RefObject } from 'react';
import type { InteractionSummary } from '@duet/protocol';
import type { InteractionMedia } from '../api';
import { usePlayerAudio } from './audio-element';
import { useAudioInMemory } from './audio-in-memory';
import { MediaClock, WallClock, type PlaybackClock } from './clock';
import { keyAction, SPEEDS, stepSpeed } from './keyboard';
import { timelineMarkers, type TimelineMarker } from './markers';
import { SegmentCache, type ReplayEvent } from './segments';
import { ScreenFollower, type FollowerState } from './sync';
import { deadAir, focusedStream, formatClock, formatSpan, skipTarget, tabLabel } from './time';
import { Timeline, type Lane } from './Timeline';
import { parsePeaks, type Peaks } from './waveform';
import './player.css';

export type PlayerMode = 'both' | 'screen' | 'voice';
/** Loading the app started before the player existed: an audio element for an audio key, decoded screen segments by key. */
export type PlayerBoot = {
  audio: (key: string) => HTMLAudioElement | undefined;
  segments: () => [string, Promise<ReplayEvent[]>][];
};
/** What the page around the player may do with it: seek, and read where playback is. */
export type PlayerHandle = { seek: (ms: number) => void; now: () => number };
const MODE_LABELS: Record<PlayerMode, string> = { both: 'Screen and voice', screen: 'Screen only', voice: 'Voice only' };
const AUTO = 'auto';

/**
 * The synced screen-and-voice player. The audio element is the clock; a frame loop reads it and
 * drives the screen follower (rrweb), the playhead and "skip dead air". Everything the player
 * needs comes from the media answer: the manifest and a signed URL per object key.
 */
export function Player({
  interaction,
  media,
  initialMs,
  onCheckAnalysis,
  refreshLinks,
  handleRef,
  side,
  extraMarkers,
  boot,
}: {
  interaction: InteractionSummary;
  media: InteractionMedia;
  initialMs: number;
  /** Asks the server again for the manifest (peaks appear when analysis is done). */
  onCheckAnalysis: () => void;
  /** Fresh signed URLs for the same media (they expire after minutes; a review may take longer). */
  refreshLinks: () => Promise<Record<string, string>>;
  /** Filled while the player lives, so panels beside it (evaluation evidence, comments) can seek it and read its time. */
  handleRef?: RefObject<PlayerHandle | null>;
  /** Panels shown first in the side column (e.g. the evaluation form). */
  side?: ReactNode;
  /** More marks on the timeline (comments) beside the recording's own moments. */
  extraMarkers?: readonly TimelineMarker[];
  /** What the app started loading at boot for this player (a player link opened directly), to adopt. */
  boot?: PlayerBoot;
}) {
  const { manifest, urls } = media;
  const durationMs = manifest.timelineMs;
  const streamedAudioUrl = manifest.audio ? urls[manifest.audio.key] : undefined;
  // The whole file is fetched once playback is under way with the screen on show (or at the
  // first seek): before that, its 10+ MB would compete with the first second of sound and the
  // first screen for the network, the server and this page's main thread.
  const [wantMemory, setWantMemory] = useState(false);
  const [soundStarted, setSoundStarted] = useState(false);
  const memoryAudioUrl = useAudioInMemory(manifest.audio?.key, streamedAudioUrl, wantMemory);
  // The in-memory copy replaces the stream while paused, or at a seek (never mid-sound).
  const [adoptMemory, setAdoptMemory] = useState(false);
  const audioUrl = adoptMemory && memoryAudioUrl ? memoryAudioUrl : streamedAudioUrl;
  const memoryReady = useRef(false);
  memoryReady.current = Boolean(memoryAudioUrl);
  const epochBase = useMemo(() => Date.parse(manifest.startedAt) || 0, [manifest.startedAt]);
  const streams = useMemo(() => manifest.screens.filter((s) => s.segments.length > 0), [manifest.screens]);
  const focus = useMemo(() => [...manifest.focus].sort((a, b) => a.startMs - b.startMs), [manifest.focus]);
  const silences = useMemo(() => (manifest.metrics ? deadAir(manifest.metrics, durationMs) : []), [manifest.metrics, durationMs]);
  const markers = useMemo(() => timelineMarkers(manifest, silences), [manifest, silences]);
  const allMarkers = useMemo(() => (extraMarkers?.length ? [...markers, ...extraMarkers].sort((a, b) => a.startMs - b.startMs) : markers), [markers, extraMarkers]);

  const [mode, setMode] = useState<PlayerMode>(() => (streams.length === 0 ? 'voice' : !manifest.audio ? 'screen' : 'both'));
  const [tabChoice, setTabChoice] = useState<string>(AUTO);
  const [autoStream, setAutoStream] = useState<string | null>(() => focusedStream(focus, initialMs) ?? streams[0]?.stream ?? null);
  const [rate, setRate] = useState(1);
  const [skipSilence, setSkipSilence] = useState(false);
  const [playing, setPlaying] = useState(false);
  useEffect(() => {
    if (memoryAudioUrl && !playing) setAdoptMemory(true);
  }, [memoryAudioUrl, playing]);
  const [timeMs, setTimeMs] = useState(initialMs);
  const [screenState, setScreenState] = useState<FollowerState>({ kind: 'loading' });
  const [audioError, setAudioError] = useState<string | null>(null);
  const [shared, setShared] = useState<{ url: string; copied: boolean } | null>(null);
  const [peaks, setPeaks] = useState<Peaks | null>(null);
  const [peaksError, setPeaksError] = useState(false);

  const audioHostRef = useRef<HTMLDivElement>(null);
  const clockRef = useRef<PlaybackClock | null>(null);
  /** where the next clock starts, at what rate, and whether it should play (see the clock effect) */
  const positionRef = useRef(initialMs);
  const rateRef = useRef(1);
  const wantPlayRef = useRef(false);
  const startClock = useCallback((clock: PlaybackClock) => {
    clock.play().catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      wantPlayRef.current = false;
      setAudioError('The audio could not be played. Check that this device can play sound, then try again.');
    });
  }, []);
  const followerRef = useRef<ScreenFollower | null>(null);
  const timelineRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const skipRef = useRef(skipSilence);
  skipRef.current = skipSilence;

  // One cache for the player's life; fresh signed URLs (a re-check) only replace the links.
  const [cache] = useState(() => {
    const c = new SegmentCache(urls, epochBase);
    for (const [key, events] of boot?.segments() ?? []) c.seed(key, events);
    return c;
  });
  useEffect(() => cache.updateUrls(urls), [cache, urls]);
  useEffect(() => {
    cache.refresh = refreshLinks;
  }, [cache, refreshLinks]);

  // The audio's link expired (seeking late in a long call asks the server for new bytes):
  // renew it and carry on from the same place, at most once a minute.
  const lastRecovery = useRef(0);
  const audioElRef = useRef<HTMLAudioElement | null>(null);
  const recoverAudio = useCallback(async () => {
    const audio = audioElRef.current;
    const key = manifest.audio?.key;
    const failed = () => setAudioError('The call audio could not be loaded. Check your connection, then reload the page.');
    if (!audio || !key || Date.now() - lastRecovery.current < 60_000) return failed();
    lastRecovery.current = Date.now();
    const at = audio.currentTime;
    const wasPlaying = !audio.paused;
    try {
      const url = (await refreshLinks())[key];
      if (!url) return failed();
      audio.src = url;
      audio.currentTime = at;
      if (wasPlaying) await audio.play();
      setAudioError(null);
    } catch {
      failed();
    }
  }, [manifest.audio, refreshLinks]);
  const audioKey = manifest.audio?.key;
  const audio = usePlayerAudio(audioHostRef, audioUrl, mode === 'screen', () => void recoverAudio(), () => (audioKey ? boot?.audio(audioKey) : undefined));
  audioElRef.current = audio;
  useEffect(() => {
    const started = () => setSoundStarted(true);
    audio.addEventListener('playing', started, { once: true });
    return () => audio.removeEventListener('playing', started);
  }, [audio]);
  const shownStream = tabChoice === AUTO ? autoStream : tabChoice;
  const showScreen = mode !== 'voice' && streams.length > 0;
  const screen = streams.find((s) => s.stream === shownStream) ?? streams[0];

  // The clock: the audio element when there is audio, a wall clock otherwise. A new clock (the
  // audio's link arrived or was renewed, the in-memory copy replaced the stream) carries on where
  // the last one was, playing if it played or if Play was pressed before any clock existed. Where
  // it was is read while rendering the change: once committed, the audio element has the new
  // source and has already forgotten its position.
  const clockSource = `${audioUrl ?? ''}|${durationMs}`;
  const lastClockSource = useRef(clockSource);
  if (lastClockSource.current !== clockSource) {
    lastClockSource.current = clockSource;
    const old = clockRef.current;
    if (old) {
      positionRef.current = old.now();
      rateRef.current = old.rate();
      wantPlayRef.current = old.isPlaying();
    }
  }
  useEffect(() => {
    const clock: PlaybackClock = audioUrl ? new MediaClock(audio, durationMs) : new WallClock(durationMs);
    // An element adopted from the boot is already there: a seek to where it is would still make
    // the browser look the position up again in the file (a range request on Ogg).
    if (Math.abs(clock.now() - positionRef.current) > 1) clock.seek(positionRef.current);
    clock.setRate(rateRef.current);
    clockRef.current = clock;
    const update = () => {
      setPlaying(clock.isPlaying());
      setRate(clock.rate());
      setTimeMs(clock.now());
    };
    const unsubscribe = clock.subscribe(update);
    if (wantPlayRef.current) startClock(clock);
    update();
    return () => {
      unsubscribe();
      clock.pause();
      clock.dispose();
      clockRef.current = null;
    };
    // initialMs is only where the player opens; later positions are seeks, not a new clock.
  }, [audio, audioUrl, durationMs]);

  // The screen follower for the stream on show.
  useEffect(() => {
    const root = rootRef.current;
    if (!showScreen || !screen || !root) return;
    const follower = new ScreenFollower(root, screen.segments, cache, epochBase, setScreenState);
    followerRef.current = follower;
    const clock = clockRef.current;
    if (clock) follower.sync(clock.now(), clock.isPlaying() && !clock.isStalled(), clock.rate());
    return () => {
      follower.dispose();
      if (followerRef.current === follower) followerRef.current = null;
    };
  }, [showScreen, screen, cache, epochBase]);

  // The frame loop: screen follows the clock, the playhead moves, dead air is skipped.
  useEffect(() => {
    let frame = 0;
    let lastUi = 0;
    const tick = (now: number) => {
      frame = requestAnimationFrame(tick);
      const clock = clockRef.current;
      if (!clock) return;
      let t = clock.now();
      const isPlaying = clock.isPlaying();
      if (isPlaying && skipRef.current) {
        const to = skipTarget(silences, t);
        if (to !== null) {
          clock.seek(to);
          t = to;
        }
      }
      followerRef.current?.sync(t, isPlaying && !clock.isStalled(), clock.rate());
      timelineRef.current?.style.setProperty('--p', String(durationMs ? Math.min(1, t / durationMs) : 0));
      if (tabChoice === AUTO) {
        const f = focusedStream(focus, t);
        if (f) setAutoStream((s) => (s === f ? s : f));
      }
      if (now - lastUi > 250) {
        lastUi = now;
        setTimeMs(t);
      }
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [durationMs, silences, focus, tabChoice]);

  // Peaks: fetched once analysis is done; until then the lanes say why they are flat.
  useEffect(() => {
    const p = manifest.peaks;
    const url = p ? urls[p.key] : undefined;
    if (!p || !url) return;
    const controller = new AbortController();
    fetch(url, { signal: controller.signal })
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(String(r.status)))))
      .then((buffer) => setPeaks(parsePeaks(buffer, p.channels, p.buckets)))
      .catch(() => {
        if (!controller.signal.aborted) setPeaksError(true);
      });
    return () => controller.abort();
  }, [manifest.peaks, urls]);

  // Scale the recorded viewport to fit the stage, never above 1:1.
  const [box, setBox] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setBox({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.observe(stage);
    return () => observer.disconnect();
  }, [showScreen]);
  const screenSettled = !showScreen || screenState.kind !== 'loading';
  useEffect(() => {
    if (soundStarted && screenSettled) setWantMemory(true);
  }, [soundStarted, screenSettled]);
  const dims = screenState.kind === 'ready' ? screenState : { width: 1280, height: 720 };
  // On a laptop the screen, the timeline and the controls fit on one view without scrolling.
  const maxHeight = Math.max(200, window.innerHeight - 430);
  const scale = box.width ? Math.min(1, box.width / dims.width, maxHeight / dims.height) : 0;

  const seek = useCallback((ms: number) => {
    setWantMemory(true);
    if (memoryReady.current) setAdoptMemory(true);
    const clock = clockRef.current;
    if (!clock) {
      positionRef.current = ms;
      return setTimeMs(ms);
    }
    clock.seek(ms);
    setTimeMs(clock.now());
  }, []);

  useEffect(() => {
    if (!handleRef) return;
    handleRef.current = { seek, now: () => clockRef.current?.now() ?? 0 };
    return () => {
      handleRef.current = null;
    };
  }, [handleRef, seek]);

  const toggle = useCallback(() => {
    const clock = clockRef.current;
    // Pressed before the clock exists (the first frame): remembered, the clock starts playing.
    wantPlayRef.current = clock ? !clock.isPlaying() : !wantPlayRef.current;
    if (!clock) return setPlaying(wantPlayRef.current);
    if (clock.isPlaying()) clock.pause();
    else startClock(clock);
  }, [startClock]);

  const changeRate = useCallback((next: number) => {
    rateRef.current = next;
    clockRef.current?.setRate(next);
    setRate(next);
  }, []);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const action = keyAction(e);
      const clock = clockRef.current;
      if (!action || !clock) return;
      e.preventDefault();
      if (action.type === 'toggle') toggle();
      else if (action.type === 'skip') seek(clock.now() + action.ms);
      else if (action.type === 'seek') seek(action.to === 'start' ? 0 : durationMs);
      else changeRate(stepSpeed(clock.rate(), action.step));
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggle, seek, changeRate, durationMs]);

  async function share() {
    const url = `${window.location.origin}/interactions/${interaction.id}?t=${Math.round(clockRef.current?.now() ?? timeMs)}`;
    const copied = await navigator.clipboard.writeText(url).then(
      () => true,
      () => false,
    );
    setShared({ url, copied });
  }

  const lanes: Lane[] = manifest.audio
    ? manifest.audio.channelRoles.map((role, channel) => ({ role, channel }))
    : [];
  const waveNote = !manifest.audio
    ? null
    : peaksError
      ? 'The waveform could not be loaded.'
      : manifest.analysis === 'pending'
        ? (
            <>
              Analysing the audio: the waveform and talk times appear when it is done.{' '}
              <button type="button" className="link-btn" onClick={onCheckAnalysis} onPointerDown={(e) => e.stopPropagation()}>
                Check again
              </button>
            </>
          )
        : manifest.analysis === 'failed'
          ? 'The waveform could not be computed for this call; it still plays.'
          : null;
  const modeName = useId();
  const pauseNow = manifest.pauses.find((p) => timeMs >= p.startMs && timeMs < p.endMs);

  return (
    <div className={`player player-${mode}`}>
      {/* the audio element (usePlayerAudio) lives here while there is audio */}
      <div ref={audioHostRef} hidden />

      {showScreen ? (
        <div className="stage-area">
          {streams.length > 1 ? (
            <div className="tab-picker" role="group" aria-label="Recorded tabs">
              <span className="tab-picker-label">Tab</span>
              <button type="button" className={`chip-btn ${tabChoice === AUTO ? 'active' : ''}`} aria-pressed={tabChoice === AUTO} onClick={() => setTabChoice(AUTO)}>
                Follow focus{tabChoice === AUTO && autoStream ? ` (${tabLabel(autoStream)})` : ''}
              </button>
              {streams.map((s) => (
                <button
                  key={s.stream}
                  type="button"
                  className={`chip-btn ${tabChoice === s.stream ? 'active' : ''}`}
                  aria-pressed={tabChoice === s.stream}
                  onClick={() => setTabChoice(s.stream)}
                >
                  {tabLabel(s.stream)}
                  {focusedStream(focus, timeMs) === s.stream ? <span className="focus-dot" title="The agent is working in this tab" /> : null}
                </button>
              ))}
            </div>
          ) : null}
          <div className="stage" ref={stageRef} style={{ height: scale ? Math.round(dims.height * scale) : undefined }} data-stream={screen?.stream}>
            <div
              className="replay-root"
              ref={rootRef}
              data-testid="replay-root"
              style={{
                width: dims.width,
                height: dims.height,
                transform: `scale(${scale || 0.0001})`,
                left: box.width ? Math.max(0, (box.width - dims.width * scale) / 2) : 0,
              }}
            />
            {screenState.kind === 'loading' ? (
              <div className="stage-overlay">
                <span className="spinner" aria-hidden="true" /> Loading the screen…
              </div>
            ) : null}
            {screenState.kind === 'before-start' ? (
              <div className="stage-overlay">The screen recording starts at {formatClock(screenState.startsAtMs)}.</div>
            ) : null}
            {screenState.kind === 'error' ? (
              <div className="stage-overlay stage-overlay-error" role="alert">
                {screenState.error.message}
                {screenState.error.kind === 'expired' ? ' Reload the page to get a new link.' : ' Seek elsewhere, or reload the page to try again.'}
              </div>
            ) : null}
            {pauseNow && screenState.kind === 'ready' ? (
              <div className="stage-banner">Recording paused here ({formatSpan(pauseNow.endMs - pauseNow.startMs)}): nothing on screen or in the audio was kept.</div>
            ) : null}
          </div>
        </div>
      ) : (
        <div className="voice-card">
          <p className="voice-title">{interaction.agentName}</p>
          <p className="muted">
            {streams.length === 0 ? 'Voice only: no screen was recorded for this interaction.' : 'Voice only. Switch to “Screen and voice” to see what the agent did.'}
          </p>
        </div>
      )}

      {audioError ? (
        <div className="banner banner-error" role="alert">
          <div className="banner-body">
            <p>{audioError}</p>
          </div>
        </div>
      ) : null}

      <div className="controls">
        <Timeline
          durationMs={durationMs}
          timeMs={timeMs}
          markers={allMarkers}
          peaks={peaks}
          lanes={lanes}
          waveNote={waveNote}
          onSeek={seek}
          innerRef={timelineRef}
          showWave={mode !== 'screen' && lanes.length > 0}
        />
        <div className="control-row">
          <div className="transport">
            <button type="button" className="icon-btn-lg" onClick={() => seek((clockRef.current?.now() ?? 0) - 5000)} aria-label="Back 5 seconds" title="Back 5 s (←)">
              <svg viewBox="0 0 24 24" aria-hidden="true">
                <path d="M11 7L6 12l5 5M18 7l-5 5 5 5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
            </button>
            <button type="button" className="play-btn" onClick={toggle} aria-label={playing ? 'Pause' : 'Play'} title={playing ? 'Pause (Space)' : 'Play (Space)'}>
              <svg viewBox="0 0 24 24" aria-hidden="true">
                {playing ? <path d="M8 5v14M16 5v14" stroke="currentColor" strokeWidth="3.2" strokeLinecap="round" /> : <path d="M8 5.5v13l11-6.5z" fill="currentColor" />}
              </svg>
            </button>
            <button type="button" className="icon-btn-lg" onClick={() => seek((clockRef.current?.now() ?? 0) + 5000)} aria-label="Forward 5 seconds" title="Forward 5 s (→)">
              <svg viewBox="0 0 24 24" aria-hidden="true">
                <path d="M6 7l5 5-5 5M13 7l5 5-5 5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
            </button>
            <span className="time" data-testid="player-time">
              {formatClock(timeMs)} <span className="muted">/ {formatClock(durationMs)}</span>
            </span>
          </div>
          <div className="options">
            <label className="inline-select">
              <span>Speed</span>
              <select value={String(rate)} onChange={(e) => changeRate(Number(e.target.value))}>
                {SPEEDS.map((s) => (
                  <option key={s} value={String(s)}>
                    {s}×
                  </option>
                ))}
              </select>
            </label>
            {manifest.audio ? (
              <label className={`toggle-chip ${skipSilence ? 'on' : ''}`} title={manifest.metrics ? undefined : 'Available once the audio is analysed'}>
                <input type="checkbox" checked={skipSilence} disabled={!manifest.metrics} onChange={(e) => setSkipSilence(e.target.checked)} />
                Skip dead air
              </label>
            ) : null}
            <button type="button" className="btn btn-secondary btn-sm" onClick={share}>
              Share this moment
            </button>
          </div>
        </div>
        {streams.length > 0 && manifest.audio ? (
          <fieldset className="modes">
            <legend className="visually-hidden">Show</legend>
            {(['both', 'screen', 'voice'] as const).map((m) => (
              <label key={m} className={`mode ${mode === m ? 'active' : ''}`}>
                <input type="radio" name={modeName} value={m} checked={mode === m} onChange={() => setMode(m)} />
                {MODE_LABELS[m]}
              </label>
            ))}
          </fieldset>
        ) : null}
        {shared ? (
          <div className="share-box" role="status">
            <p>
              {shared.copied ? 'Link copied. ' : 'Copy this link. '}It opens this interaction at {formatClock(Number(new URL(shared.url).searchParams.get('t')))} for people allowed to see it.
            </p>
            <input readOnly value={shared.url} aria-label="Link to this moment" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setShared(null)} aria-label="Close">
              ×
            </button>
          </div>
        ) : null}
        <p className="shortcuts muted">
          <kbd>Space</kbd>/<kbd>K</kbd> play · <kbd>←</kbd>/<kbd>→</kbd> 5 s · <kbd>J</kbd>/<kbd>L</kbd> 10 s · <kbd>&lt;</kbd>/<kbd>&gt;</kbd> speed
        </p>
      </div>

      <aside className="player-side" aria-label="About this interaction">
        {side}
        <Facts media={media} />
        <MomentList markers={markers} onJump={seek} />
      </aside>
    </div>
  );
}

function MomentList({ markers, onJump }: { markers: ReturnType<typeof timelineMarkers>; onJump: (ms: number) => void }) {
  if (markers.length === 0) return null;
  return (
    <section className="card moments" aria-labelledby="moments-title">
      <h2 id="moments-title">Moments</h2>
      <ul className="moment-list">
        {markers.map((m, i) => (
          <li key={i}>
            <button type="button" className="moment" onClick={() => onJump(Math.max(0, m.startMs - (m.kind === 'page' || m.kind === 'focus' ? 500 : 0)))}>
              <span className={`moment-dot dot-${m.kind}`} aria-hidden="true" />
              <span className="moment-time">{formatClock(m.startMs)}</span>
              <span className="moment-label">{m.label}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Facts({ media }: { media: InteractionMedia }) {
  const { manifest } = media;
  const m = manifest.metrics;
  const screens = manifest.screens;
  const pages = screens.reduce((n, s) => n + s.facts.pages.length, 0);
  const appSwitches = screens.reduce((n, s) => n + s.facts.appSwitches, 0);
  return (
    <section className="card facts-card" aria-labelledby="facts-title">
      <h2 id="facts-title">At a glance</h2>
      <dl className="glance">
        {manifest.audio ? (
          <>
            <div>
              <dt>Agent talk</dt>
              <dd>{m ? formatSpan(m.agent.talkMs) : '—'}</dd>
            </div>
            <div>
              <dt>Customer talk</dt>
              <dd>{m?.customer ? formatSpan(m.customer.talkMs) : '—'}</dd>
            </div>
            <div>
              <dt>Dead air</dt>
              <dd>{m ? `${formatSpan(m.deadAir.totalMs)} (${m.deadAir.count}×)` : '—'}</dd>
            </div>
            <div>
              <dt>Overtalk</dt>
              <dd>{m ? `${formatSpan(m.overtalk.totalMs)} (${m.overtalk.count}×)` : '—'}</dd>
            </div>
          </>
        ) : (
          <div className="glance-wide">
            <dt>Call audio</dt>
            <dd>Not recorded: screen only</dd>
          </div>
        )}
        <div>
          <dt>Pages visited</dt>
          <dd>{screens.length ? pages : '—'}</dd>
        </div>
        <div>
          <dt>Application switches</dt>
          <dd>{screens.length ? appSwitches : '—'}</dd>
        </div>
      </dl>
      {!m && manifest.audio ? <p className="muted small">Talk times appear once the audio has been analysed.</p> : null}
    </section>
  );
}
