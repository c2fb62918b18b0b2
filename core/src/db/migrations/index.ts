import type { Migration } from 'kysely/migration';
import * as foundation from './20261123T110000_foundation.js';
import * as ingest from './20261123T120000_ingest.js';
import * as pbxImports from './20261123T140000_pbx_imports.js';
import * as chunkPayloadInline from './20261123T150000_chunk_payload_inline.js';
import * as markerStreams from './20261123T160000_marker_streams.js';
import * as scoring from './20261123T170000_scoring.js';
import * as notifications from './20261123T190000_notifications.js';
import * as comments from './20261123T180000_comments.js';

/**
 * Every migration, by timestamped name. A static list (not a directory scan) so the set is
 * checked at compile time and works the same from sources, builds and bundles.
 */
export const migrations: Record<string, Migration> = {
  '20261123T110000_foundation': foundation,
  '20261123T120000_ingest': ingest,
  '20261123T140000_pbx_imports': pbxImports,
  '20261123T150000_chunk_payload_inline': chunkPayloadInline,
  '20261123T160000_marker_streams': markerStreams,
  '20261123T170000_scoring': scoring,
  '20261123T180000_comments': comments,
  '20261123T190000_notifications': notifications,
};
