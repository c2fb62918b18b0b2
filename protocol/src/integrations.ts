import { z } from 'zod';

/**
 * Integrations: tokens for systems (a phone system uploading call recordings, a CTI connector),
 * and the PBX import contract. Systems send `Authorization: Bearer duet_it_…`.
 */

/** `import`: upload call recordings; `cti`: call events (the CTI endpoint). */
export const IntegrationScope = z.enum(['import', 'cti']);
export type IntegrationScope = z.infer<typeof IntegrationScope>;

export const CreateIntegrationTokenRequest = z.object({
  label: z.string().min(1).max(120),
  scopes: z
    .array(IntegrationScope)
    .min(1, 'give the token at least one scope: "import" and/or "cti"')
    .transform((s) => [...new Set(s)].sort()),
});
export type CreateIntegrationTokenRequest = z.infer<typeof CreateIntegrationTokenRequest>;

export const IntegrationTokenSummary = z.object({
  id: z.uuid(),
  label: z.string(),
  scopes: z.array(IntegrationScope),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type IntegrationTokenSummary = z.infer<typeof IntegrationTokenSummary>;

/** Returned once at creation; Duet keeps only a hash of `token`. */
export const CreatedIntegrationToken = IntegrationTokenSummary.extend({ token: z.string() });
export type CreatedIntegrationToken = z.infer<typeof CreatedIntegrationToken>;

/**
 * A PBX call id: what the phone system calls the call, also used to find the screen recording of
 * the same call. A small alphabet, so it is safe in logs, URLs and filters.
 */
export const CallId = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'at most 128 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/, 'use letters, digits and . _ : @ + - (starting with a letter or digit)');

/** The metadata of `POST /api/interactions/import`, sent as query parameters beside a raw audio body. */
export const ImportAudioQuery = z.object({
  callId: CallId,
  /** the agent's username or user id */
  agent: z.string().min(1).max(64),
  /** when the recording starts, with its UTC offset (e.g. 2026-11-23T10:15:00.250+01:00) */
  startedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-23T10:15:00Z' }),
  direction: z.enum(['inbound', 'outbound']).optional(),
  /** the file's name at the source, kept for people; its extension must agree with the content */
  filename: z
    .string()
    .max(255)
    .refine((name) => ![...name].some((ch) => ch === '/' || ch === '\\' || ch.charCodeAt(0) < 0x20), 'a file name, without a path or control characters')
    .optional(),
});
export type ImportAudioQuery = z.infer<typeof ImportAudioQuery>;

export const ImportState = z.enum(['queued', 'processing', 'waiting', 'done', 'failed']);
export type ImportState = z.infer<typeof ImportState>;

export const ImportStatus = z.object({
  id: z.uuid(),
  /** queued → processing → done; `waiting` while the screen recording of the call is still being finalized */
  state: ImportState,
  /** 0..1 while processing */
  progress: z.number().nullable(),
  /** why it was refused or failed: what is wrong with the file */
  error: z.string().nullable(),
  callId: z.string(),
  agentId: z.uuid(),
  startedAt: z.string(),
  direction: z.enum(['inbound', 'outbound']).nullable(),
  container: z.enum(['wav', 'mp3', 'ogg', 'webm']),
  bytes: z.number().int(),
  sha256: z.string(),
  /** the interaction it joined (a screen recording of the same call) or created (voice only) */
  interactionId: z.uuid().nullable(),
  placement: z.enum(['joined', 'voice-only']).nullable(),
  /** where the audio starts relative to the screen recording's start; negative = before it */
  offsetMs: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  statusUrl: z.string(),
});
export type ImportStatus = z.infer<typeof ImportStatus>;

/** 202 answer of an import (and 200 when the same file was already imported for that call and agent). */
export const ImportAccepted = ImportStatus.extend({ duplicate: z.boolean() });
export type ImportAccepted = z.infer<typeof ImportAccepted>;
