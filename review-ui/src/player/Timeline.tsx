import { useRef } from 'react';
import type { PointerEvent, ReactNode, RefObject } from 'react';
import type { TimelineMarker } from './markers';
import { formatClock } from './time';
import { WaveLane, type Peaks } from './waveform';

const LANE_COLOURS = {
  agent: { base: '#9fc9cf', played: '#0f7b8a' },
  customer: { base: '#c6bfe0', played: '#5b47a8' },
} as const;

export type Lane = { role: 'agent' | 'customer'; channel: number };

/**
 * The seek bar: waveform lanes, markers and the playhead. Click or drag anywhere to seek
 * (pointer capture keeps a drag going outside it). It is a slider for assistive technology;
 * its keys are the player's shortcuts. The playhead moves through the `--p` CSS variable that
 * the player's frame loop sets, so playback does not re-render React.
 */
export function Timeline({
  durationMs,
  timeMs,
  markers,
  peaks,
  lanes,
  waveNote,
  onSeek,
  innerRef,
  showWave,
}: {
  durationMs: number;
  timeMs: number;
  markers: readonly TimelineMarker[];
  peaks: Peaks | null;
  lanes: readonly Lane[];
  waveNote: ReactNode;
  onSeek: (ms: number) => void;
  innerRef: RefObject<HTMLDivElement | null>;
  showWave: boolean;
}) {
  const dragging = useRef(false);
  const hoverRef = useRef<HTMLSpanElement>(null);

  function msAt(clientX: number): number {
    const el = innerRef.current;
    if (!el) return 0;
    const box = el.getBoundingClientRect();
    const x = Math.min(Math.max(clientX - box.left, 0), box.width);
    return box.width ? Math.round((x / box.width) * durationMs) : 0;
  }

  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    if (e.button !== 0) return;
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus({ preventScroll: true });
    onSeek(msAt(e.clientX));
  }
  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    const ms = msAt(e.clientX);
    const hover = hoverRef.current;
    const el = innerRef.current;
    if (hover && el) {
      hover.textContent = formatClock(ms);
      hover.style.left = `${(ms / Math.max(1, durationMs)) * 100}%`;
    }
    if (dragging.current) onSeek(ms);
  }
  function onPointerUp(e: PointerEvent<HTMLDivElement>) {
    dragging.current = false;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  }

  const pct = (ms: number) => `${(Math.min(Math.max(ms, 0), durationMs) / Math.max(1, durationMs)) * 100}%`;

  return (
    <div
      ref={innerRef}
      className={`timeline ${showWave ? '' : 'timeline-compact'}`}
      role="slider"
      tabIndex={0}
      aria-label="Position"
      aria-valuemin={0}
      aria-valuemax={Math.round(durationMs / 1000)}
      aria-valuenow={Math.round(timeMs / 1000)}
      aria-valuetext={`${formatClock(timeMs)} of ${formatClock(durationMs)}`}
      aria-keyshortcuts="Space K J L ArrowLeft ArrowRight Home End"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
    >
      {showWave ? (
        <div className="lanes">
          {lanes.map((lane) => (
            <div key={lane.role} className={`lane lane-${lane.role}`}>
              {peaks ? (
                <>
                  <div className="wave-layer">
                    <WaveLane peaks={peaks} channel={lane.channel} colour={LANE_COLOURS[lane.role].base} label={lane.role} />
                  </div>
                  <div className="wave-layer wave-played">
                    <WaveLane peaks={peaks} channel={lane.channel} colour={LANE_COLOURS[lane.role].played} label={lane.role} />
                  </div>
                </>
              ) : (
                <div className="wave-flat" />
              )}
              <span className="lane-label">{lane.role === 'agent' ? 'Agent' : 'Customer'}</span>
            </div>
          ))}
          {waveNote ? <span className="wave-note">{waveNote}</span> : null}
        </div>
      ) : (
        <div className="track" />
      )}
      <div className="markers" aria-hidden="true">
        {markers.map((m, i) =>
          m.kind === 'comment' ? null : m.endMs !== null ? (
            <span key={i} className={`band band-${m.kind}`} style={{ left: pct(m.startMs), width: `calc(${pct(m.endMs - m.startMs)} + 1px)` }} title={m.label} />
          ) : (
            <span key={i} className={`tick tick-${m.kind}`} style={{ left: pct(m.startMs) }} title={m.label} />
          ),
        )}
      </div>
      {/* Comment pins jump exactly to their moment (not to where the pointer happens to be); the
          comments list beside the player is the keyboard and screen-reader route to the same. */}
      <div className="comment-pins" aria-hidden="true">
        {markers.map((m) =>
          m.kind === 'comment' ? (
            <span
              key={m.id}
              className="comment-pin"
              data-testid="comment-pin"
              data-at-ms={m.startMs}
              style={{ left: pct(m.startMs) }}
              title={m.label}
              onPointerDown={(e) => {
                if (e.button !== 0) return;
                e.stopPropagation();
                onSeek(m.startMs);
              }}
            />
          ) : null,
        )}
      </div>
      <span className="playhead" aria-hidden="true" />
      <span className="hover-time" ref={hoverRef} aria-hidden="true" />
    </div>
  );
}
