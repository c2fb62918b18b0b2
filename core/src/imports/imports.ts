import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { ImportAccepted, ImportStatus } from '@duet/protocol';
import { audit } from '../audit/audit.js';
import { isAdmin, type Principal } from '../auth/authorization.js';
import type { DB, InteractionImportRow } from '../db/schema.js';
import { InvalidInput, NotFound } from '../errors.js';
import type { AppJobQueue } from '../jobs/index.js';
import { objectKey } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { importJobId } from './requests.js';
import type { ImportContainer } from './sniff.js';

/** Who uploads: a system with an integration token, or an admin doing a manual upload. */
export type ImportCaller = { kind: 'token'; tokenId: string; ip: string | null } | { kind: 'user'; principal: Principal; ip: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The agent an import is for, by username or id; only enabled users with the agent role. */
export async function resolveImportAgent(db: Kysely<DB>, agent: string): Promise<{ id: string; teamId: string | null }> {
  const row = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select(['u.id', 'u.disabled'])
    .where('r.role', '=', 'agent')
    .where(UUID.test(agent) ? 'u.id' : 'u.username', '=', UUID.test(agent) ? agent.toLowerCase() : agent)
    .executeTakeFirst();
  const issue = (message: string) => new InvalidInput(`The agent is not usable: ${message}.`, [{ path: 'agent', message }]);
  if (!row) throw issue(`no agent has the username or id "${agent}"; send the Duet username or user id of an agent`);
  if (row.disabled) throw issue(`the agent "${agent}" is disabled; an admin must enable the user first`);
  const team = await db.selectFrom('team_members').select('team_id').where('user_id', '=', row.id).orderBy('team_id').executeTakeFirst();
  return { id: row.id, teamId: team?.team_id ?? null };
}

export const importStatusUrl = (id: string) => `/api/interactions/imports/${id}`;

function toStatus(r: InteractionImportRow, progress: number | null): ImportStatus {
  return {
    id: r.id,
    state: r.state,
    progress: r.state === 'done' ? 1 : r.state === 'failed' ? null : progress,
    error: r.error,
    callId: r.call_id,
    agentId: r.agent_id,
    startedAt: r.started_at.toISOString(),
    direction: r.direction,
    container: r.container,
    bytes: r.bytes,
    sha256: r.sha256,
    interactionId: r.interaction_id,
    placement: r.placement,
    offsetMs: r.offset_ms,
    durationMs: r.duration_ms,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    statusUrl: importStatusUrl(r.id),
  };
}

async function progressOf(db: Kysely<DB>, importId: string): Promise<number | null> {
  const job = await db
    .selectFrom('job_runs')
    .select('progress')
    .where('job_id', 'like', `${importJobId(importId)}%`)
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  return job?.progress ?? null;
}

export interface NewImport {
  agentId: string;
  callId: string;
  startedAt: Date;
  direction: 'inbound' | 'outbound' | null;
  container: ImportContainer;
  contentType: string;
  filename: string | null;
  bytes: number;
  sha256: string;
  /** the verified upload, read once to store it */
  body: () => Readable;
}

const callerColumns = (c: ImportCaller) => (c.kind === 'token' ? { created_by_user: null, created_by_token: c.tokenId } : { created_by_user: c.principal.userId, created_by_token: null });
const actorOf = (c: ImportCaller) => (c.kind === 'user' ? c.principal.userId : null);

/**
 * Records an upload the server has already checked (size, magic bytes) and hashed: stores the
 * original, then in one transaction writes the import row, requests its job and audits it.
 * Idempotent by (agent, call id, sha256): the same file for the same call answers the same import,
 * and stores nothing again.
 */
export async function recordImport(
  deps: { db: Kysely<DB>; store: ObjectStore; jobs: AppJobQueue },
  caller: ImportCaller,
  input: NewImport,
): Promise<ImportAccepted> {
  const { db, store, jobs } = deps;
  const auditAccepted = (trx: Kysely<DB>, row: InteractionImportRow, outcome: 'accepted' | 'duplicate') =>
    audit(trx, {
      actorId: actorOf(caller),
      ip: caller.ip,
      action: 'import.upload',
      targetType: 'import',
      targetId: row.id,
      detail: {
        outcome,
        callId: input.callId,
        agentId: input.agentId,
        bytes: input.bytes,
        sha256: input.sha256,
        container: input.container,
        ...(caller.kind === 'token' ? { integrationTokenId: caller.tokenId } : {}),
      },
    });
  const existing = () =>
    db.selectFrom('interaction_imports').selectAll().where('agent_id', '=', input.agentId).where('call_id', '=', input.callId).where('sha256', '=', input.sha256).executeTakeFirst();
  const duplicate = async (row: InteractionImportRow): Promise<ImportAccepted> => {
    await auditAccepted(db, row, 'duplicate');
    return { ...toStatus(row, await progressOf(db, row.id)), duplicate: true };
  };

  const before = await existing();
  if (before) return duplicate(before);

  const id = randomUUID();
  // The key comes from the server's id only; the container decides the extension, never the client.
  const key = objectKey('imports', id, `original.${input.container}`);
  await store.put(key, input.body(), { contentType: input.contentType, contentLength: input.bytes });
  const row = await jobs.transaction(async (trx) => {
    const inserted = await trx
      .insertInto('interaction_imports')
      .values({
        id,
        agent_id: input.agentId,
        call_id: input.callId,
        direction: input.direction,
        started_at: input.startedAt,
        container: input.container,
        content_type: input.contentType,
        filename: input.filename,
        bytes: input.bytes,
        sha256: input.sha256,
        original_store: store.name,
        original_key: key,
        state: 'queued',
        ...callerColumns(caller),
      })
      .onConflict((oc) => oc.columns(['agent_id', 'call_id', 'sha256']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) return null;
    await jobs.enqueue('import-audio', { importId: id }, { jobId: importJobId(id) }, trx);
    await auditAccepted(trx, inserted, 'accepted');
    return inserted;
  });
  if (!row) {
    // The same upload won a race with this one: keep its import, drop this copy of the bytes.
    await store.delete(key);
    return duplicate((await existing())!);
  }
  return { ...toStatus(row, 0), duplicate: false };
}

/** Who may read an import's status: admins, and the token or user that uploaded it. */
export type ImportViewer = { kind: 'token'; tokenId: string } | { kind: 'user'; principal: Principal };

export async function getImportStatus(db: Kysely<DB>, viewer: ImportViewer, id: string): Promise<ImportStatus> {
  const row = await db.selectFrom('interaction_imports').selectAll().where('id', '=', id).executeTakeFirst();
  const visible =
    row && (viewer.kind === 'token' ? row.created_by_token === viewer.tokenId : isAdmin(viewer.principal) || row.created_by_user === viewer.principal.userId);
  // Anything the viewer may not see is "not found", so nobody learns another caller's imports exist.
  if (!row || !visible) throw new NotFound('Import');
  return toStatus(row, await progressOf(db, id));
}
