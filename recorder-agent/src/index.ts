/**
 * The Duet recorder agent: the browser library that records an agent's screen (rrweb, private by
 * default) and call audio (agent left, customer right) into Duet's ingest, through an outbox that
 * survives network drops, server restarts and reloads.
 */
export { Recorder, type RecorderEvents, type StartOptions } from './recorder.js';
export type { RecorderOptions } from './options.js';
export { ALWAYS_SENSITIVE } from './options.js';
export { badgeText, type BadgeState } from './badge.js';
export type { DropReport } from './outbox.js';
export type { SendFailure } from './sender.js';
export type { PauseReason } from './pci-guard.js';
export { INGEST_PROTOCOL_VERSION } from '@duet/protocol/ingest-wire';
