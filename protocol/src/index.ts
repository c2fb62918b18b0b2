/**
 * Duet's wire contracts: browser-safe zod schemas and types shared by the server, the workers,
 * the recorder agent and the review UI. This package imports nothing of Duet's own.
 */
export { PROTOCOL_VERSION } from './constants.js';
export * from './roles.js';
export * from './errors.js';
export * from './auth.js';
export * from './health.js';
export * from './audit.js';
export * from './ingest.js';
export { IngestPush, type ActiveInteractionNotice, type CtiNotice, type PauseNotice } from './ingest-wire.js';
export * from './cti.js';
export * from './interactions.js';
export * from './comments.js';
export * from './manifest.js';
export * from './integrations.js';
export * from './scoring.js';
export * from './score.js';
export * from './periods.js';
export * from './notifications.js';
