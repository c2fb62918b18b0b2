import type { Answer, Answers, Question, ScorecardDefinition, ScoreResult } from './scoring.js';

/**
 * The score arithmetic, in one pure module (no I/O) so every rule is table-tested (core's
 * scoring/score.test.ts) and the same function scores drafts, submissions, dispute changes,
 * calibration and references on the server, and the live score in the review UI's evaluation
 * form: it lives in protocol because the browser may import only protocol.
 *
 * Rules:
 * - Each question is worth its `weight` in points. The answer earns a fraction of it:
 *   yes/no → yes 1, no 0; scale → linear, (value − min) / (max − min); choice → the choice's
 *   points / the best choice's points.
 * - N/A (allowed per question) leaves the question out of earned and possible points alike, so it
 *   neither helps nor hurts. An unanswered question (a draft) is also left out, and listed.
 * - Section subtotal = earned / possible of its questions; the total is computed from the summed
 *   points of all questions, never by averaging section percentages (sections of unequal weight
 *   would otherwise count alike).
 * - A critical question fails when its answer earns 0 of its points (no, the scale's minimum, a
 *   0-point choice). Any critical failure makes the total 0 and names the question and answer;
 *   `rawPercent` keeps what the answers would have earned, for coaching. A critical N/A is no failure.
 * - Nothing scorable (everything N/A or weighing 0): percent is null, not 0 or 100.
 * - Rounding: sums are kept exact; only the reported numbers are rounded, percentages to one
 *   decimal and points to two, half away from zero. So 2 of 3 points is 66.7 %, and section
 *   rounding never leaks into the total.
 */
export function scoreAnswers(def: ScorecardDefinition, answers: Answers): ScoreResult {
  const questions: ScoreResult['questions'] = [];
  const sections: ScoreResult['sections'] = [];
  const criticalFailures: ScoreResult['criticalFailures'] = [];
  const unanswered: string[] = [];
  let earned = 0;
  let possible = 0;
  for (const section of def.sections) {
    let sEarned = 0;
    let sPossible = 0;
    for (const q of section.questions) {
      const a = answers[q.id];
      const na = a?.na === true;
      const answered = na || hasValue(a);
      const fraction = !na && answered ? fractionOf(q, a!.value) : null;
      if (!answered) unanswered.push(q.id);
      const qPossible = fraction === null ? 0 : q.weight;
      const qEarned = fraction === null ? 0 : q.weight * fraction;
      sEarned += qEarned;
      sPossible += qPossible;
      questions.push({ questionId: q.id, sectionId: section.id, na, answered, fraction, earned: round(qEarned, 2), possible: qPossible });
      if (q.critical && fraction === 0) {
        criticalFailures.push({ questionId: q.id, question: q.text, reason: `Critical question failed: "${q.text}" was answered ${describeValue(q, a!.value)}.` });
      }
    }
    earned += sEarned;
    possible += sPossible;
    sections.push({ sectionId: section.id, title: section.title, earned: round(sEarned, 2), possible: round(sPossible, 2), percent: percentOf(sEarned, sPossible) });
  }
  const rawPercent = percentOf(earned, possible);
  const criticalFailed = criticalFailures.length > 0;
  return {
    percent: criticalFailed ? 0 : rawPercent,
    rawPercent,
    earned: round(earned, 2),
    possible: round(possible, 2),
    criticalFailed,
    criticalFailures,
    sections,
    questions,
    unanswered,
  };
}

const hasValue = (a: Answer | undefined) => a !== undefined && a.value !== undefined && a.value !== null;

/** The share of a question's weight an answer earns (0..1). Assumes the value passed validateAnswers. */
export function fractionOf(q: Question, value: Answer['value']): number {
  switch (q.type) {
    case 'yes_no':
      return value === true ? 1 : 0;
    case 'scale': {
      const { min, max } = q.scale!;
      return Math.min(1, Math.max(0, ((value as number) - min) / (max - min)));
    }
    case 'choice': {
      const best = Math.max(...q.choices!.map((c) => c.points));
      const chosen = q.choices!.find((c) => c.id === value);
      return chosen && best > 0 ? chosen.points / best : 0;
    }
  }
}

function describeValue(q: Question, value: Answer['value']): string {
  if (q.type === 'yes_no') return value ? '"yes"' : '"no"';
  if (q.type === 'scale') return `${String(value)} of ${q.scale!.min}–${q.scale!.max}`;
  return `"${q.choices!.find((c) => c.id === value)?.label ?? String(value)}"`;
}

/** Half away from zero at `digits` decimals; exact for the values a scorecard produces. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.sign(x) * Math.round(Math.abs(x) * f + Number.EPSILON * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

function percentOf(earned: number, possible: number): number | null {
  return possible > 0 ? round((earned / possible) * 100, 1) : null;
}

export interface AnswerIssue {
  path: string;
  message: string;
}

/**
 * Checks answers against a scorecard version: known questions only, the value's type and range,
 * N/A only where allowed, evidence moments inside the interaction. With `complete`, every question
 * must have a value or N/A (submitting). Returns every problem, each with the path to fix.
 */
export function validateAnswers(def: ScorecardDefinition, answers: Answers, opts: { complete: boolean; timelineMs?: number | null }): AnswerIssue[] {
  const issues: AnswerIssue[] = [];
  const byId = new Map<string, Question>();
  for (const s of def.sections) for (const q of s.questions) byId.set(q.id, q);
  for (const [id, a] of Object.entries(answers)) {
    const q = byId.get(id);
    const at = `answers.${id}`;
    if (!q) {
      issues.push({ path: at, message: `no question "${id}" on this scorecard version` });
      continue;
    }
    if (a.na) {
      if (!q.allowNa) issues.push({ path: `${at}.na`, message: `N/A is not allowed for "${q.text}": answer it` });
    } else if (hasValue(a)) {
      const problem = valueProblem(q, a.value);
      if (problem) issues.push({ path: `${at}.value`, message: problem });
    }
    a.moments?.forEach((m, i) => {
      if (opts.timelineMs != null && m.atMs > opts.timelineMs) {
        issues.push({ path: `${at}.moments.${i}.atMs`, message: `${m.atMs} ms is past the end of the interaction (${opts.timelineMs} ms)` });
      }
    });
  }
  if (opts.complete) {
    for (const q of byId.values()) {
      const a = answers[q.id];
      if (!a || (!a.na && !hasValue(a))) issues.push({ path: `answers.${q.id}`, message: `"${q.text}" is not answered${q.allowNa ? ' (answer it or mark it N/A)' : ''}` });
    }
  }
  return issues;
}

function valueProblem(q: Question, value: Answer['value']): string | null {
  switch (q.type) {
    case 'yes_no':
      return typeof value === 'boolean' ? null : `"${q.text}" is yes/no: send true or false`;
    case 'scale': {
      const { min, max } = q.scale!;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        return `"${q.text}" is scored ${min} to ${max} in whole numbers; ${JSON.stringify(value)} is outside the scale`;
      }
      return null;
    }
    case 'choice': {
      const ids = q.choices!.map((c) => c.id);
      return typeof value === 'string' && ids.includes(value) ? null : `"${q.text}" takes one of ${ids.map((i) => `"${i}"`).join(', ')}; ${JSON.stringify(value)} is not one`;
    }
  }
}

/** Merges answer changes into answers (a dispute resolution changes some questions only). */
export function mergeAnswers(base: Answers, changes: Answers): Answers {
  return { ...base, ...changes };
}
