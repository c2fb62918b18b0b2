import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Manifest } from '@duet/protocol';
import type { DB } from '../db/schema.js';
import { objectKey } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Where an interaction's manifest lives: one key per interaction, replaced as analysis or a join adds to it. */
export const manifestKeyOf = (interactionId: string) => objectKey('interactions', interactionId, 'manifest.json');

export async function readObject(store: ObjectStore, key: string): Promise<Buffer> {
  const got = await store.get(key);
  const parts: Buffer[] = [];
  for await (const c of got.body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Reads and validates a manifest; a manifest that does not parse is an error, never half-used. */
export async function readManifest(store: ObjectStore, key: string): Promise<Manifest> {
  return Manifest.parse(JSON.parse((await readObject(store, key)).toString('utf8')));
}

/** Validates and stores a manifest under the interaction's manifest key; returns the key and the SHA-256 of the bytes. */
export async function putManifest(store: ObjectStore, manifest: Manifest): Promise<{ key: string; sha256: string }> {
  const body = Buffer.from(JSON.stringify(Manifest.parse(manifest)));
  const key = manifestKeyOf(manifest.interactionId);
  await store.put(key, body, { contentType: 'application/json', contentLength: body.byteLength });
  return { key, sha256: createHash('sha256').update(body).digest('hex') };
}

/**
 * Read-modify-write of a ready interaction's manifest, serialised by a lock on its row, so two
 * writers (analysis adding peaks, an import replacing the audio) never lose each other's change.
 * `change` sees the current manifest and returns the new one, or null to leave it as it is.
 */
export async function updateManifest(
  db: Kysely<DB>,
  store: ObjectStore,
  interactionId: string,
  change: (current: Manifest) => Manifest | null | Promise<Manifest | null>,
): Promise<Manifest | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('interactions').select(['manifest_key', 'status']).where('id', '=', interactionId).forUpdate().executeTakeFirst();
    if (!row?.manifest_key || row.status !== 'ready') return null;
    const next = await change(await readManifest(store, row.manifest_key));
    if (!next) return null;
    const { key } = await putManifest(store, next);
    await trx.updateTable('interactions').set({ manifest_key: key, manifest_store: store.name, updated_at: new Date() }).where('id', '=', interactionId).execute();
    return next;
  });
}
