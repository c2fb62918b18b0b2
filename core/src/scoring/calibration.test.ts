import { describe, expect, it } from 'vitest';
import { ScorecardDefinition, type Answers } from '@duet/protocol';
import { distanceToReference, spreadOf } from './calibration.js';

const def = ScorecardDefinition.parse({
  name: 'c',
  sections: [
    {
      id: 's',
      title: 'S',
      questions: [
        { id: 'yn', text: 'yes/no', type: 'yes_no', weight: 1, allowNa: true },
        { id: 'sc', text: 'scale', type: 'scale', weight: 1, scale: { min: 1, max: 5 } },
        { id: 'ch', text: 'choice', type: 'choice', weight: 1, choices: [{ id: 'a', label: 'A', points: 2 }, { id: 'b', label: 'B', points: 1 }, { id: 'c', label: 'C', points: 0 }] },
        { id: 'na', text: 'na', type: 'yes_no', weight: 1, allowNa: true },
      ],
    },
  ],
});
const ref: Answers = { yn: { value: true }, sc: { value: 5 }, ch: { value: 'a' }, na: { na: true } };

describe('distanceToReference (mean per-question distance ×100)', () => {
  const rows: [string, Answers, number | null][] = [
    ['identical answers', ref, 0],
    ['one yes/no flipped: 1 of 4 questions fully apart', { ...ref, yn: { value: false } }, 25],
    ['scale 3 of 1–5 against 5: half apart on one question', { ...ref, sc: { value: 3 } }, 12.5],
    ['choice worth half the best', { ...ref, ch: { value: 'b' } }, 12.5],
    ['N/A where the reference answered counts fully', { ...ref, yn: { na: true } }, 25],
    ['an answer where the reference said N/A counts fully', { ...ref, na: { value: true } }, 25],
    ['everything opposite', { yn: { value: false }, sc: { value: 1 }, ch: { value: 'c' }, na: { value: false } }, 100],
  ];
  for (const [name, answers, want] of rows) it(name, () => expect(distanceToReference(def, answers, ref)).toBe(want));
  it('is null without a reference', () => expect(distanceToReference(def, ref, null)).toBeNull());
});

describe('spreadOf', () => {
  it('gives min, max, range, mean and population standard deviation, rounded to one decimal', () => {
    expect(spreadOf([100, 94.1, 82.4])).toEqual({ min: 82.4, max: 100, range: 17.6, mean: 92.2, stdDev: 7.3 });
    expect(spreadOf([50])).toEqual({ min: 50, max: 50, range: 0, mean: 50, stdDev: 0 });
    expect(spreadOf([])).toBeNull();
  });
});
