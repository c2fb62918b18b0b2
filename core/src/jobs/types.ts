/**
 * The one place that maps each job type to its payload. Everything else (policy table, handler
 * registry, enqueue calls) is typed from this interface, so adding a job type here without a
 * policy or a handler fails to compile.
 *
 * Payloads are stored as JSON in `job_runs.payload` and in Redis: plain data only, and ids rather
 * than rows, so a retried job reads the current state from the database.
 */
export interface JobPayloads {
  /** Deletes expired sessions (`olderThanMinutes` past their expiry, default 0) and login attempts older than 24 h. */
  'purge-expired-sessions': { olderThanMinutes?: number };
  /** Ends interactions that sent nothing for `idleMinutes` without an `end` (a closed laptop, a crashed tab). */
  'close-idle-interactions': { idleMinutes: number };
  /** Turns an ended interaction's chunks into replayable media and its manifest. */
  'finalize-interaction': { interactionId: string };
  /**
   * Waveform peaks and talk metrics for an interaction's audio, added to its manifest. Off the
   * call-end → playable path: the interaction is replayable before this runs. `audioSha256` names
   * the audio analysed, so a new audio (a PBX import joined later) gets its own run.
   */
  'analyze-audio': { interactionId: string; audioSha256: string };
  /**
   * A call recording a phone system uploaded: probed and fully decoded (refused with a reason if it
   * is not sound audio), then joined to the screen recording of the same call or made into a
   * voice-only interaction. Also re-run to join an import that waited for finalization.
   */
  'import-audio': { importId: string };
  /**
   * Fair sampling. Without `planId` (the hourly schedule): requests one run per active plan for
   * the period that just ended, each with the deterministic id `run-sampling-plans:<plan>:<period>`.
   * With `planId` and `period`: samples that plan for that period (idempotent: tops up only).
   */
  'run-sampling-plans': { planId?: string; period?: string };
}

export type JobType = keyof JobPayloads;
