import { describe, expect, it } from 'vitest';
import { ScorecardDefinition, type Answers, type QuestionInput } from '@duet/protocol';
import { BE_SURE_SCORECARD } from './example.js';
import { round, scoreAnswers, validateAnswers } from './score.js';

const yn = (id: string, weight: number, extra: Partial<QuestionInput> = {}): QuestionInput => ({ id, text: `Q ${id}`, type: 'yes_no', weight, ...extra });
const scale = (id: string, weight: number, min = 1, max = 5, extra: Partial<QuestionInput> = {}): QuestionInput => ({
  id,
  text: `Q ${id}`,
  type: 'scale',
  weight,
  scale: { min, max },
  ...extra,
});
const choice = (id: string, weight: number, points: number[], extra: Partial<QuestionInput> = {}): QuestionInput => ({
  id,
  text: `Q ${id}`,
  type: 'choice',
  weight,
  choices: points.map((p, i) => ({ id: `c${i}`, label: `choice ${i}`, points: p })),
  ...extra,
});
const card = (...sections: QuestionInput[][]) =>
  ScorecardDefinition.parse({ name: 't', sections: sections.map((questions, i) => ({ id: `s${i}`, title: `S${i}`, questions })) });
const v = (value: boolean | number | string) => ({ value });
const NA = { na: true };

type Row = {
  name: string;
  def: ScorecardDefinition;
  answers: Answers;
  percent: number | null;
  rawPercent?: number | null;
  earned?: number;
  possible?: number;
  sections?: (number | null)[];
  critical?: string[];
  unanswered?: string[];
};

const table: Row[] = [
  { name: 'all yes', def: card([yn('a', 10), yn('b', 10)]), answers: { a: v(true), b: v(true) }, percent: 100, earned: 20, possible: 20 },
  { name: 'all no', def: card([yn('a', 10), yn('b', 10)]), answers: { a: v(false), b: v(false) }, percent: 0, earned: 0, possible: 20 },
  { name: 'weights count: 10 yes + 5 no', def: card([yn('a', 10), yn('b', 5)]), answers: { a: v(true), b: v(false) }, percent: 66.7, earned: 10, possible: 15 },
  { name: 'weights count: 10 no + 5 yes', def: card([yn('a', 10), yn('b', 5)]), answers: { a: v(false), b: v(true) }, percent: 33.3, earned: 5, possible: 15 },
  { name: 'N/A leaves the denominator', def: card([yn('a', 10), yn('b', 10, { allowNa: true })]), answers: { a: v(true), b: NA }, percent: 100, earned: 10, possible: 10 },
  { name: 'N/A with a failing other', def: card([yn('a', 10), yn('b', 30, { allowNa: true })]), answers: { a: v(false), b: NA }, percent: 0, possible: 10 },
  { name: 'everything N/A: not scorable', def: card([yn('a', 10, { allowNa: true })]), answers: { a: NA }, percent: null, rawPercent: null, possible: 0, sections: [null] },
  { name: 'scale 1–5 at the minimum is 0', def: card([scale('a', 10)]), answers: { a: v(1) }, percent: 0 },
  { name: 'scale 1–5 at the middle is half', def: card([scale('a', 10)]), answers: { a: v(3) }, percent: 50, earned: 5 },
  { name: 'scale 1–5: 4 is three quarters', def: card([scale('a', 10)]), answers: { a: v(4) }, percent: 75, earned: 7.5 },
  { name: 'scale 0–10: 7 is 70 %', def: card([scale('a', 4, 0, 10)]), answers: { a: v(7) }, percent: 70, earned: 2.8 },
  { name: 'scale 1–3: 2 of 3 rounds to one decimal', def: card([scale('a', 1, 1, 4)]), answers: { a: v(2) }, percent: 33.3, earned: 0.33 },
  { name: 'choice: best choice is full points', def: card([choice('a', 10, [3, 2, 0])]), answers: { a: v('c0') }, percent: 100 },
  { name: 'choice: points relative to the best', def: card([choice('a', 9, [3, 2, 0])]), answers: { a: v('c1') }, percent: 66.7, earned: 6 },
  { name: 'choice: zero-point choice', def: card([choice('a', 10, [3, 2, 0])]), answers: { a: v('c2') }, percent: 0 },
  {
    name: 'critical failure zeroes the total and says why',
    def: card([yn('a', 10, { critical: true }), yn('b', 90)]),
    answers: { a: v(false), b: v(true) },
    percent: 0,
    rawPercent: 90,
    critical: ['a'],
  },
  { name: 'critical passed: normal score', def: card([yn('a', 10, { critical: true }), yn('b', 10)]), answers: { a: v(true), b: v(false) }, percent: 50, critical: [] },
  {
    name: 'critical N/A is no failure',
    def: card([yn('a', 10, { critical: true, allowNa: true }), yn('b', 10)]),
    answers: { a: NA, b: v(true) },
    percent: 100,
    critical: [],
  },
  { name: 'critical scale at minimum fails', def: card([scale('a', 10, 1, 5, { critical: true }), yn('b', 10)]), answers: { a: v(1), b: v(true) }, percent: 0, rawPercent: 50, critical: ['a'] },
  { name: 'critical scale above minimum passes', def: card([scale('a', 10, 1, 5, { critical: true })]), answers: { a: v(2) }, percent: 25, critical: [] },
  { name: 'critical choice worth 0 fails', def: card([choice('a', 10, [1, 0], { critical: true })]), answers: { a: v('c1') }, percent: 0, critical: ['a'] },
  { name: 'two critical failures are both named', def: card([yn('a', 1, { critical: true }), yn('b', 1, { critical: true })]), answers: { a: v(false), b: v(false) }, percent: 0, critical: ['a', 'b'] },
  { name: 'weight 0 critical: informational but still fails', def: card([yn('a', 0, { critical: true }), yn('b', 10)]), answers: { a: v(false), b: v(true) }, percent: 0, rawPercent: 100, critical: ['a'] },
  {
    name: 'section subtotals, total from points not from averaging sections',
    def: card([yn('a', 10), yn('b', 10)], [yn('c', 80)]),
    answers: { a: v(true), b: v(false), c: v(true) },
    percent: 90,
    sections: [50, 100],
  },
  {
    name: 'a section entirely N/A has no subtotal and does not count',
    def: card([yn('a', 10, { allowNa: true })], [yn('b', 10)]),
    answers: { a: NA, b: v(false) },
    percent: 0,
    sections: [null, 0],
  },
  { name: 'unanswered draft questions are left out and listed', def: card([yn('a', 10), yn('b', 10), scale('c', 5)]), answers: { a: v(true) }, percent: 100, possible: 10, unanswered: ['b', 'c'] },
  { name: 'an empty draft is not scorable', def: card([yn('a', 10)]), answers: {}, percent: null, unanswered: ['a'] },
  { name: 'rounding: 1 of 3 equal questions is 33.3', def: card([yn('a', 1), yn('b', 1), yn('c', 1)]), answers: { a: v(true), b: v(false), c: v(false) }, percent: 33.3 },
  { name: 'rounding: 2 of 3 is 66.7 (half away from zero)', def: card([yn('a', 1), yn('b', 1), yn('c', 1)]), answers: { a: v(true), b: v(true), c: v(false) }, percent: 66.7 },
  { name: 'rounding: 1 of 8 is 12.5 exactly', def: card([yn('a', 1), yn('b', 7)]), answers: { a: v(true), b: v(false) }, percent: 12.5 },
  { name: 'rounding: 1 of 16 (6.25) rounds up to 6.3', def: card([yn('a', 1), yn('b', 15)]), answers: { a: v(true), b: v(false) }, percent: 6.3 },
  { name: 'fractional weights', def: card([yn('a', 0.5), yn('b', 1.5)]), answers: { a: v(true), b: v(false) }, percent: 25, earned: 0.5, possible: 2 },
];

describe('scoreAnswers', () => {
  for (const row of table) {
    it(row.name, () => {
      const r = scoreAnswers(row.def, row.answers);
      expect(r.percent).toBe(row.percent);
      if (row.rawPercent !== undefined) expect(r.rawPercent).toBe(row.rawPercent);
      if (row.earned !== undefined) expect(r.earned).toBe(row.earned);
      if (row.possible !== undefined) expect(r.possible).toBe(row.possible);
      if (row.sections) expect(r.sections.map((s) => s.percent)).toEqual(row.sections);
      if (row.critical) {
        expect(r.criticalFailed).toBe(row.critical.length > 0);
        expect(r.criticalFailures.map((f) => f.questionId)).toEqual(row.critical);
      }
      if (row.unanswered) expect(r.unanswered).toEqual(row.unanswered);
    });
  }

  it('names the failed critical question and the answer given', () => {
    const r = scoreAnswers(card([scale('tone', 5, 1, 5, { critical: true, text: 'Kept a calm tone' })]), { tone: v(1) });
    expect(r.criticalFailures[0]!.reason).toBe('Critical question failed: "Kept a calm tone" was answered 1 of 1–5.');
  });

  it('scores the BE SURE example: perfect, typical, and a critical failure', () => {
    const perfect: Answers = {
      'accurate-information': v(true),
      'relevant-options': v(5),
      ownership: v(5),
      'extra-step': v(true),
      'active-listening': v(5),
      'acknowledged-feelings': v(true),
      'confirmed-need': v(true),
      'set-expectations': v('clear'),
      courteous: v(true),
      'no-blame': v(true),
      resolution: v('first-contact'),
      'verified-identity': NA,
    };
    expect(validateAnswers(BE_SURE_SCORECARD, perfect, { complete: true })).toEqual([]);
    expect(scoreAnswers(BE_SURE_SCORECARD, perfect)).toMatchObject({ percent: 100, possible: 85, criticalFailed: false });
    const typical = { ...perfect, 'relevant-options': v(3), ownership: v(4), 'set-expectations': v('partial'), resolution: v('follow-up') };
    // 10 + 2.5 + 7.5 + 5 + 10 + 5 + 10 + 2.5 + 10 + 5 + 6.67 = 74.17 of 85
    expect(scoreAnswers(BE_SURE_SCORECARD, typical).percent).toBe(87.3);
    const rude = scoreAnswers(BE_SURE_SCORECARD, { ...perfect, courteous: v(false) });
    expect(rude).toMatchObject({ percent: 0, rawPercent: 88.2, criticalFailed: true });
    expect(rude.sections.find((s) => s.sectionId === 'respect')!.percent).toBe(33.3);
  });
});

describe('validateAnswers', () => {
  const def = card([yn('a', 10), scale('b', 10), choice('c', 10, [1, 0], { allowNa: true })]);
  const cases: [string, Answers, boolean, string[]][] = [
    ['a complete, valid set', { a: v(true), b: v(5), c: NA }, true, []],
    ['a partial draft is fine as a draft', { a: v(true) }, false, []],
    ['a partial set cannot be submitted', { a: v(true) }, true, ['answers.b', 'answers.c']],
    ['scale above max', { b: v(6) }, false, ['answers.b.value']],
    ['scale below min', { b: v(0) }, false, ['answers.b.value']],
    ['scale not a whole number', { b: v(2.5) }, false, ['answers.b.value']],
    ['scale as a string', { b: v('5') }, false, ['answers.b.value']],
    ['yes/no as a number', { a: v(1) }, false, ['answers.a.value']],
    ['unknown choice', { c: v('c9') }, false, ['answers.c.value']],
    ['N/A where not allowed', { a: NA }, false, ['answers.a.na']],
    ['unknown question', { zz: v(true) }, false, ['answers.zz']],
    ['several problems at once', { a: v('yes'), b: v(9), zz: v(true) }, false, ['answers.a.value', 'answers.b.value', 'answers.zz']],
  ];
  for (const [name, answers, complete, paths] of cases) {
    it(name, () => {
      expect(validateAnswers(def, answers, { complete }).map((i) => i.path)).toEqual(paths);
    });
  }

  it('refuses evidence moments past the end of the interaction', () => {
    const issues = validateAnswers(def, { a: { value: true, moments: [{ atMs: 1000 }, { atMs: 70_000 }] } }, { complete: false, timelineMs: 60_000 });
    expect(issues).toEqual([{ path: 'answers.a.moments.1.atMs', message: '70000 ms is past the end of the interaction (60000 ms)' }]);
  });

  it('says what to send', () => {
    expect(validateAnswers(def, { b: v(7) }, { complete: false })[0]!.message).toBe('"Q b" is scored 1 to 5 in whole numbers; 7 is outside the scale');
  });
});

describe('scorecard definitions', () => {
  const bad: [string, unknown, string][] = [
    ['scale without bounds', { name: 'x', sections: [{ id: 's', title: 'S', questions: [{ id: 'q', text: 'Q', type: 'scale', weight: 1 }] }] }, 'sections.0.questions.0.scale'],
    ['scale max <= min', { name: 'x', sections: [{ id: 's', title: 'S', questions: [{ id: 'q', text: 'Q', type: 'scale', weight: 1, scale: { min: 3, max: 3 } }] }] }, 'sections.0.questions.0.scale'],
    ['choice without points', { name: 'x', sections: [{ id: 's', title: 'S', questions: [choice('q', 1, [0, 0])] }] }, 'sections.0.questions.0.choices'],
    ['duplicate question ids', { name: 'x', sections: [{ id: 's', title: 'S', questions: [yn('q', 1)] }, { id: 't', title: 'T', questions: [yn('q', 1)] }] }, 'sections.1.questions.0.id'],
    ['negative weight', { name: 'x', sections: [{ id: 's', title: 'S', questions: [yn('q', -1)] }] }, 'sections.0.questions.0.weight'],
    ['bad id', { name: 'x', sections: [{ id: 'S 1', title: 'S', questions: [yn('q', 1)] }] }, 'sections.0.id'],
  ];
  for (const [name, input, path] of bad) {
    it(`refuses ${name}`, () => {
      const r = ScorecardDefinition.safeParse(input);
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
    });
  }
});

describe('round', () => {
  it.each([
    [66.66666, 1, 66.7],
    [0.05, 1, 0.1],
    [1.005, 2, 1.01],
    [-0.04, 1, 0],
    [12.25, 1, 12.3],
  ])('round(%s, %s) = %s', (x, d, want) => expect(round(x, d)).toBe(want));
});
