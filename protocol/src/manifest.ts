import { z } from 'zod';

/**
 * The manifest of a finalized interaction: everything a player needs to replay screen and voice
 * on one timeline, with a SHA-256 for every artifact. Versioned: a player reads `version` first.
 * Artifact locations are object keys (never URLs or paths); the API turns them into signed URLs.
 */
export const MANIFEST_VERSION = 1;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Ms = z.number().int();

export const Interval = z.object({ startMs: Ms, endMs: Ms });
export type Interval = z.infer<typeof Interval>;

export const Artifact = z.object({ key: z.string(), bytes: z.number().int().min(0), sha256: Sha256 });
export type Artifact = z.infer<typeof Artifact>;

export const AudioTrack = Artifact.extend({
  container: z.enum(['ogg', 'webm']),
  codec: z.literal('opus'),
  channels: z.union([z.literal(1), z.literal(2)]),
  /** channel 0 is the agent; channel 1 (stereo) the customer */
  channelRoles: z.array(z.enum(['agent', 'customer'])),
  sampleRate: z.number().int(),
  durationMs: Ms,
});
export type AudioTrack = z.infer<typeof AudioTrack>;

/** Max-abs amplitude per bucket, 0..127, one signed byte per bucket, channels one after another. */
export const PeaksTrack = Artifact.extend({ peaksPerSecond: z.number().int().min(1), channels: z.number().int().min(1), buckets: z.number().int().min(0) });
export type PeaksTrack = z.infer<typeof PeaksTrack>;

export const ChannelTalk = z.object({ talkMs: Ms, longestMonologueMs: Ms, speech: z.array(Interval) });
export const TalkMetrics = z.object({
  agent: ChannelTalk,
  customer: ChannelTalk.nullable(),
  deadAir: z.object({ count: z.number().int(), totalMs: Ms, thresholdMs: Ms }),
  overtalk: z.object({ count: z.number().int(), totalMs: Ms }),
});
export type TalkMetrics = z.infer<typeof TalkMetrics>;

export const ScreenSegmentEntry = Artifact.extend({
  index: z.number().int().min(0),
  startMs: Ms,
  endMs: Ms,
  fullSnapshotMs: Ms,
  eventCount: z.number().int(),
});
export type ScreenSegmentEntry = z.infer<typeof ScreenSegmentEntry>;

export const ScreenFactsSchema = z.object({
  pages: z.array(z.object({ url: z.string(), app: z.string(), firstMs: Ms, timeMs: Ms, visits: z.number().int() })),
  apps: z.array(z.object({ app: z.string(), timeMs: Ms })),
  switches: z.number().int(),
  appSwitches: z.number().int(),
  idleMs: Ms,
  observedMs: Ms,
});

export const ScreenStream = z.object({
  /** `screen:<tab>` as the recorder named it */
  stream: z.string(),
  encoding: z.enum(['br', 'gzip']),
  /** ordered by startMs: the seek index */
  segments: z.array(ScreenSegmentEntry),
  facts: ScreenFactsSchema,
});
export type ScreenStream = z.infer<typeof ScreenStream>;

export const Manifest = z.object({
  version: z.literal(MANIFEST_VERSION),
  interactionId: z.uuid(),
  /** server time of timeline zero */
  startedAt: z.string(),
  timelineMs: Ms,
  audio: AudioTrack.nullable(),
  peaks: PeaksTrack.nullable(),
  metrics: TalkMetrics.nullable(),
  /**
   * Peaks and metrics come from a follow-up job, so an interaction plays as soon as its audio,
   * screen and manifest exist: `pending` until then, `none` without audio, `failed` if it gave up.
   */
  analysis: z.enum(['none', 'pending', 'done', 'failed']),
  /** PCI pauses: silence in the audio, no screen events */
  pauses: z.array(Interval.extend({ reason: z.string().nullable() })),
  /** data that never arrived, per stream: recorded explicitly, never hidden */
  gaps: z.array(Interval.extend({ stream: z.string(), missingSeqs: z.array(z.tuple([z.number().int(), z.number().int()])) })),
  screens: z.array(ScreenStream),
  /** which tab (screen stream) the agent worked in, from when to when; empty when no tab said */
  focus: z.array(z.object({ stream: z.string(), startMs: Ms, endMs: Ms })).default([]),
});
export type Manifest = z.infer<typeof Manifest>;
