import { Manifest, MANIFEST_VERSION, type AudioTrack } from '@duet/protocol';

/**
 * Where an imported call recording goes on an interaction's timeline: pure arithmetic over the
 * manifest, so the tricky part (audio that starts before the screen recording) is unit-tested.
 */

export interface Placement {
  /** PBX start minus the interaction's start, ms: negative when the audio starts first */
  offsetMs: number;
  /** how far the timeline grows to the left (the audio starts before the screen) */
  leadMs: number;
  /** where the audio starts on the new timeline */
  audioAtMs: number;
  /** the new timeline's length: covers both the screen recording and the audio */
  timelineMs: number;
  /** the new timeline's zero */
  startedAt: Date;
}

export function placeAudio(interaction: { startedAt: Date; timelineMs: number }, audio: { startedAt: Date; durationMs: number }): Placement {
  const offsetMs = audio.startedAt.getTime() - interaction.startedAt.getTime();
  const leadMs = Math.max(0, -offsetMs);
  const audioAtMs = Math.max(0, offsetMs);
  return {
    offsetMs,
    leadMs,
    audioAtMs,
    timelineMs: Math.max(interaction.timelineMs + leadMs, audioAtMs + audio.durationMs),
    startedAt: new Date(interaction.startedAt.getTime() - leadMs),
  };
}

/**
 * Manifests written before analysis moved to its own job have no `analysis` field: it is derived
 * from whether peaks exist, so older interactions can still be joined.
 */
export function readManifest(raw: unknown): Manifest {
  const obj = (raw ?? {}) as Record<string, unknown>;
  return Manifest.parse('analysis' in obj ? obj : { ...obj, analysis: obj.peaks ? 'done' : obj.audio ? 'pending' : 'none' });
}

/**
 * The manifest after joining: the imported audio is the audio track (the player's clock), every
 * position on the screen side moves right by `leadMs` when the timeline grew to the left, and
 * peaks/metrics wait for the analysis of the new audio. Recorder audio gaps are dropped: they
 * described the audio this one replaces (which the previous manifest, kept, still lists).
 */
export function joinedManifest(current: Manifest, placement: Placement, audio: AudioTrack): Manifest {
  const d = placement.leadMs;
  const shift = <T extends { startMs: number; endMs: number }>(x: T): T => ({ ...x, startMs: x.startMs + d, endMs: x.endMs + d });
  return Manifest.parse({
    ...current,
    startedAt: placement.startedAt.toISOString(),
    timelineMs: placement.timelineMs,
    audio,
    peaks: null,
    metrics: null,
    analysis: 'pending',
    pauses: current.pauses.map(shift),
    gaps: current.gaps.filter((g) => g.stream !== 'audio').map(shift),
    screens: current.screens.map((s) => ({
      ...s,
      segments: s.segments.map((seg) => ({ ...shift(seg), fullSnapshotMs: seg.fullSnapshotMs + d })),
      facts: { ...s.facts, pages: s.facts.pages.map((p) => ({ ...p, firstMs: p.firstMs + d })) },
    })),
    focus: current.focus.map(shift),
  } satisfies Manifest);
}

/** A voice-only interaction: the call audio and nothing else. */
export function voiceOnlyManifest(interactionId: string, startedAt: Date, audio: AudioTrack): Manifest {
  return Manifest.parse({
    version: MANIFEST_VERSION,
    interactionId,
    startedAt: startedAt.toISOString(),
    timelineMs: audio.durationMs,
    audio,
    peaks: null,
    metrics: null,
    analysis: 'pending',
    pauses: [],
    gaps: [],
    screens: [],
    focus: [],
  } satisfies Manifest);
}
