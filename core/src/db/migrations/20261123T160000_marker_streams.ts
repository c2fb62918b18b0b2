/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against any schema version */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * Markers name the stream they come from, now that several tabs record one interaction: a tab's
 * PCI pause (`screen:<tab>`), the call audio's own pause (`audio`), and `focus` (which tab the
 * agent was in from then on). '' is a marker of the whole recorder (single-tab recorders).
 */
const UP = [
  `ALTER TABLE interaction_markers ADD COLUMN stream text NOT NULL DEFAULT ''`,
  `ALTER TABLE interaction_markers DROP CONSTRAINT interaction_markers_kind_check`,
  `ALTER TABLE interaction_markers ADD CONSTRAINT interaction_markers_kind_check CHECK (kind IN ('pause', 'resume', 'focus'))`,
  `ALTER TABLE interaction_markers DROP CONSTRAINT interaction_markers_pkey`,
  `ALTER TABLE interaction_markers ADD PRIMARY KEY (interaction_id, kind, stream, at_ms)`,
];

const DOWN = [
  `DELETE FROM interaction_markers WHERE kind = 'focus'`,
  // Two tabs' markers at the same ms cannot both stay under the old key: keep one.
  `DELETE FROM interaction_markers m USING interaction_markers o
    WHERE m.interaction_id = o.interaction_id AND m.kind = o.kind AND m.at_ms = o.at_ms AND m.stream > o.stream`,
  `ALTER TABLE interaction_markers DROP CONSTRAINT interaction_markers_pkey`,
  `ALTER TABLE interaction_markers ADD PRIMARY KEY (interaction_id, kind, at_ms)`,
  `ALTER TABLE interaction_markers DROP CONSTRAINT interaction_markers_kind_check`,
  `ALTER TABLE interaction_markers ADD CONSTRAINT interaction_markers_kind_check CHECK (kind IN ('pause', 'resume'))`,
  `ALTER TABLE interaction_markers DROP COLUMN stream`,
];

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, DOWN);
}
