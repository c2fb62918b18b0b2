import type { Answer, EvaluationKind, EvaluationState, Question, ScorecardDefinition } from '@duet/protocol';
import type { Tone } from '../../ui';

export const KIND_LABELS: Record<EvaluationKind, string> = { supervisor: 'Evaluation', self: 'Self-evaluation', calibration: 'Calibration score' };

export const STATE_LABELS: Record<EvaluationState, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  acknowledged: 'Acknowledged',
  disputed: 'Disputed',
  resolved: 'Dispute decided',
};

export const STATE_TONES: Record<EvaluationState, Tone> = {
  draft: 'neutral',
  submitted: 'accent',
  acknowledged: 'success',
  disputed: 'warning',
  resolved: 'success',
};

export function questionsOf(def: ScorecardDefinition): Question[] {
  return def.sections.flatMap((s) => s.questions);
}

/** An answer as a person reads it: "Yes", "4 of 1–5", the choice's label, "N/A", or "—". */
export function answerLabel(q: Question | undefined, a: Answer | null | undefined): string {
  if (!a) return '—';
  if (a.na) return 'N/A';
  if (a.value === undefined || a.value === null) return '—';
  if (!q) return String(a.value);
  if (q.type === 'yes_no') return a.value ? 'Yes' : 'No';
  if (q.type === 'scale') return `${String(a.value)} of ${q.scale!.min}–${q.scale!.max}`;
  return q.choices!.find((c) => c.id === a.value)?.label ?? String(a.value);
}

/** The answers that differ from `base` (a dispute resolution sends only those). */
export function changedAnswers<T extends Record<string, unknown>>(base: T, next: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(next) as (keyof T)[]) if (JSON.stringify(next[k]) !== JSON.stringify(base[k])) out[k] = next[k];
  return out;
}
