/**
 * Screen stream processing for the finalize job: order and dedupe a tab's rrweb events, cut them
 * into compressed replayable segments with a seek index, and derive the tab's screen facts.
 */
export { EventType, IncrementalSource, InvalidScreenEventsError, orderEvents, parseEvents, type RrwebEvent } from './events.js';
export { normalizePauses, type TimelineInterval } from './pauses.js';
export {
  buildSegments,
  decodeSegment,
  DEFAULT_SEGMENT_ENCODING,
  encodeSegment,
  SEGMENT_SOFT_LIMITS,
  type BuildSegmentsOptions,
  type ScreenSegment,
  type SegmentEncoding,
  type SegmentsReport,
} from './segments.js';
export { buildSeekIndex, findSegment, type SeekEntry } from './seek-index.js';
export {
  computeScreenFacts,
  DEFAULT_IDLE_THRESHOLD_MS,
  NAVIGATION_TAG,
  pageOf,
  type AppFact,
  type InteractionCounts,
  type PageFact,
  type ScreenFacts,
  type ScreenFactsOptions,
} from './screen-facts.js';
