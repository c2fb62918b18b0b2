import type { Kysely } from 'kysely';
import type { CreateScorecardRequest, ScorecardDefinition, ScorecardSummary, ScorecardVersionSummary, UpdateScorecardRequest } from '@duet/protocol';
import { audit } from '../audit/audit.js';
import { mayManageScorecards, type Principal } from '../auth/authorization.js';
import type { DB } from '../db/schema.js';
import { Conflict, Forbidden, NotFound } from '../errors.js';
import { iso, type ScoringContext } from './common.js';
import { BE_SURE_KEY, BE_SURE_SCORECARD } from './example.js';

/**
 * Scorecards and their versions. A version is a draft until published; published versions never
 * change (the database refuses it), so editing a published scorecard saves a new draft version,
 * and publishing it makes it the one new evaluations use. Evaluations keep their own version.
 */

function assertManager(p: Principal): void {
  if (!mayManageScorecards(p)) throw new Forbidden('Scorecards are managed by admins and QA analysts.');
}

export async function listScorecards(db: Kysely<DB>, opts: { includeArchived?: boolean } = {}): Promise<ScorecardSummary[]> {
  let q = db.selectFrom('scorecards').selectAll().orderBy('name').orderBy('id');
  if (!opts.includeArchived) q = q.where('status', '=', 'active');
  const cards = await q.execute();
  if (!cards.length) return [];
  const versions = await db
    .selectFrom('scorecard_versions')
    .select(['scorecard_id', 'version', 'published_at'])
    .where('scorecard_id', 'in', cards.map((c) => c.id))
    .execute();
  return cards.map((c) => {
    const mine = versions.filter((v) => v.scorecard_id === c.id);
    const published = mine.filter((v) => v.published_at).map((v) => v.version);
    return {
      id: c.id,
      name: c.name,
      status: c.status,
      publishedVersion: published.length ? Math.max(...published) : null,
      draftVersion: mine.find((v) => !v.published_at)?.version ?? null,
      builtIn: c.built_in,
      createdAt: c.created_at.toISOString(),
    };
  });
}

export async function getScorecard(db: Kysely<DB>, id: string): Promise<ScorecardSummary & { versions: ScorecardVersionSummary[] }> {
  const summary = (await listScorecards(db, { includeArchived: true })).find((c) => c.id === id);
  if (!summary) throw new NotFound('Scorecard');
  const versions = await db.selectFrom('scorecard_versions').selectAll().where('scorecard_id', '=', id).orderBy('version', 'desc').execute();
  return { ...summary, versions: versions.map((v) => ({ id: v.id, version: v.version, publishedAt: iso(v.published_at), definition: v.definition })) };
}

/** The version new evaluations of this scorecard use: its newest published one. */
export async function currentVersion(db: Kysely<DB>, scorecardId: string): Promise<{ id: string; version: number; definition: ScorecardDefinition }> {
  const card = await db.selectFrom('scorecards').select(['name', 'status']).where('id', '=', scorecardId).executeTakeFirst();
  if (!card) throw new NotFound('Scorecard');
  if (card.status === 'archived') throw new Conflict(`Scorecard "${card.name}" is archived: choose an active scorecard.`);
  const v = await db
    .selectFrom('scorecard_versions')
    .select(['id', 'version', 'definition'])
    .where('scorecard_id', '=', scorecardId)
    .where('published_at', 'is not', null)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!v) throw new Conflict(`Scorecard "${card.name}" has no published version yet: publish it before evaluating with it.`);
  return v;
}

async function insertScorecard(trx: Kysely<DB>, definition: ScorecardDefinition, publish: boolean, createdBy: string | null, builtIn: string | null): Promise<string> {
  const card = await trx
    .insertInto('scorecards')
    .values({ name: definition.name, built_in: builtIn, created_by: createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('scorecard_versions')
    .values({ scorecard_id: card.id, version: 1, definition: JSON.stringify(definition), published_at: publish ? new Date() : null, created_by: createdBy })
    .execute();
  return card.id;
}

export async function createScorecard(db: Kysely<DB>, ctx: ScoringContext, input: CreateScorecardRequest) {
  assertManager(ctx.principal);
  const id = await db.transaction().execute(async (trx) => {
    const id = await insertScorecard(trx, input.definition, input.publish, ctx.principal.userId, null);
    await audit(trx, { actorId: ctx.principal.userId, ip: ctx.ip, action: 'scorecard.create', targetType: 'scorecard', targetId: id, detail: { name: input.definition.name, published: input.publish } });
    return id;
  });
  return getScorecard(db, id);
}

/** Saves a definition as the scorecard's draft: replaces the unpublished draft, or starts a new version after the published one. */
export async function updateScorecard(db: Kysely<DB>, ctx: ScoringContext, id: string, input: UpdateScorecardRequest) {
  assertManager(ctx.principal);
  await db.transaction().execute(async (trx) => {
    const card = await trx.selectFrom('scorecards').select(['id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!card) throw new NotFound('Scorecard');
    if (card.status === 'archived') throw new Conflict('This scorecard is archived: restore it or create a new one before editing.');
    const draft = await trx.selectFrom('scorecard_versions').select(['id', 'version']).where('scorecard_id', '=', id).where('published_at', 'is', null).executeTakeFirst();
    let version: number;
    if (draft) {
      await trx.updateTable('scorecard_versions').set({ definition: JSON.stringify(input.definition) }).where('id', '=', draft.id).execute();
      version = draft.version;
    } else {
      const top = await trx.selectFrom('scorecard_versions').select((eb) => eb.fn.max('version').as('v')).where('scorecard_id', '=', id).executeTakeFirstOrThrow();
      version = Number(top.v ?? 0) + 1;
      await trx
        .insertInto('scorecard_versions')
        .values({ scorecard_id: id, version, definition: JSON.stringify(input.definition), published_at: null, created_by: ctx.principal.userId })
        .execute();
    }
    await trx.updateTable('scorecards').set({ name: input.definition.name, updated_at: new Date() }).where('id', '=', id).execute();
    await audit(trx, { actorId: ctx.principal.userId, ip: ctx.ip, action: 'scorecard.save_draft', targetType: 'scorecard', targetId: id, detail: { version } });
  });
  return getScorecard(db, id);
}

export async function publishScorecard(db: Kysely<DB>, ctx: ScoringContext, id: string) {
  assertManager(ctx.principal);
  await db.transaction().execute(async (trx) => {
    const card = await trx.selectFrom('scorecards').select(['id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!card) throw new NotFound('Scorecard');
    const draft = await trx.selectFrom('scorecard_versions').select(['id', 'version']).where('scorecard_id', '=', id).where('published_at', 'is', null).executeTakeFirst();
    if (!draft) throw new Conflict('There is no draft to publish: every version of this scorecard is published already. Save changes first.');
    await trx.updateTable('scorecard_versions').set({ published_at: new Date() }).where('id', '=', draft.id).execute();
    await audit(trx, { actorId: ctx.principal.userId, ip: ctx.ip, action: 'scorecard.publish', targetType: 'scorecard', targetId: id, detail: { version: draft.version } });
  });
  return getScorecard(db, id);
}

export async function setScorecardStatus(db: Kysely<DB>, ctx: ScoringContext, id: string, status: 'active' | 'archived') {
  assertManager(ctx.principal);
  await db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('scorecards').set({ status, updated_at: new Date() }).where('id', '=', id).executeTakeFirst();
    if (!r.numUpdatedRows) throw new NotFound('Scorecard');
    await audit(trx, { actorId: ctx.principal.userId, ip: ctx.ip, action: status === 'archived' ? 'scorecard.archive' : 'scorecard.restore', targetType: 'scorecard', targetId: id });
  });
  return getScorecard(db, id);
}

/**
 * The built-in BE SURE example, published, once per database (found again by its `built_in`
 * key). The demo seed calls it inside its transaction; admins of a production install can add it
 * through the API.
 */
export async function ensureExampleScorecard(db: Kysely<DB>, actorId: string | null, ip?: string | null): Promise<{ id: string; created: boolean }> {
  const found = await db.selectFrom('scorecards').select('id').where('built_in', '=', BE_SURE_KEY).executeTakeFirst();
  if (found) return { id: found.id, created: false };
  const id = await insertScorecard(db, BE_SURE_SCORECARD, true, actorId, BE_SURE_KEY);
  await audit(db, { actorId, ip: ip ?? null, action: 'scorecard.create', targetType: 'scorecard', targetId: id, detail: { name: BE_SURE_SCORECARD.name, builtIn: BE_SURE_KEY, published: true } });
  return { id, created: true };
}

export async function addExampleScorecard(db: Kysely<DB>, ctx: ScoringContext) {
  assertManager(ctx.principal);
  const { id, created } = await db.transaction().execute((trx) => ensureExampleScorecard(trx, ctx.principal.userId, ctx.ip));
  return { scorecard: await getScorecard(db, id), created };
}
