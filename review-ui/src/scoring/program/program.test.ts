import { describe, expect, it } from 'vitest';
import type { ScorecardDefinition } from '@duet/protocol';
import { niceTicks } from '../common/charts';
import { periodKeyOf, periodRange, periodsIn } from './periods';
import { emptyDraft, lockIds, move, newQuestion, serverErrors, slugify, toDefinitionInput, toDraft, validateDraft, withIds } from './scorecard-draft';

/** The programme pages' pure parts; the pages themselves are tested in Chromium (test/e2e/scoring-calibration). */

const DEF: ScorecardDefinition = {
  name: 'Billing calls',
  sections: [
    {
      id: 'opening',
      title: 'Opening',
      questions: [
        { id: 'verified', text: 'Verified the caller', type: 'yes_no', weight: 1, allowNa: false, critical: true },
        { id: 'greeted', text: 'Greeted by name', type: 'yes_no', weight: 2, allowNa: true, critical: false, guidance: 'First ten seconds.' },
      ],
    },
    {
      id: 'resolution',
      title: 'Resolution',
      description: 'How it ended',
      questions: [
        { id: 'resolved', text: 'Resolved', type: 'scale', weight: 3, allowNa: false, critical: false, scale: { min: 1, max: 5 } },
        {
          id: 'tone',
          text: 'Tone',
          type: 'choice',
          weight: 1,
          allowNa: true,
          critical: false,
          choices: [
            { id: 'warm', label: 'Warm', points: 2 },
            { id: 'cold', label: 'Cold', points: 0 },
          ],
        },
      ],
    },
  ],
};

describe('scorecard draft', () => {
  it('makes slugs the protocol accepts, with a fallback for text without letters', () => {
    expect(slugify('Verified the caller’s identity?', 'q')).toBe('verified-the-caller-s-identity');
    expect(slugify('Ça va — très bien', 'q')).toBe('ca-va-tres-bien');
    expect(slugify('!!!', 'question-1-1')).toBe('question-1-1');
    expect(slugify('x'.repeat(80), 'q')).toHaveLength(48);
  });

  it('round-trips a stored definition unchanged, ids locked', () => {
    const draft = toDraft(DEF);
    expect(draft.sections.every((s) => s.idLocked && s.questions.every((q) => q.idLocked))).toBe(true);
    expect(validateDraft(draft)).toEqual({ definition: DEF, errors: {} });
  });

  it('derives new ids from the text, unique, and never renames a saved question', () => {
    const draft = toDraft(DEF);
    const added = { ...newQuestion(), text: 'Verified' };
    const twin = { ...newQuestion(), text: 'Verified' };
    draft.sections[0]!.questions.push(added, twin);
    draft.sections[0]!.questions[0]!.text = 'Checked the identity'; // saved: keeps "verified"
    const ids = withIds(draft).sections[0]!.questions.map((q) => q.id);
    expect(ids).toEqual(['verified', 'greeted', 'verified-2', 'verified-3']);
    expect(lockIds(withIds(draft)).sections[0]!.questions.every((q) => q.idLocked)).toBe(true);
  });

  it('names every problem by its field path, in words a person acts on', () => {
    const { definition, errors } = validateDraft(emptyDraft());
    expect(definition).toBeNull();
    expect(errors).toMatchObject({ name: 'Give the scorecard a name.', 'sections.0.title': 'Give the section a title.', 'sections.0.questions.0.text': 'Write the question.' });

    const draft = toDraft(DEF);
    draft.sections[0]!.questions[0]!.weight = '';
    draft.sections[0]!.questions[1]!.weight = '-1';
    const resolved = draft.sections[1]!.questions[0]!;
    resolved.scaleMax = '1';
    const tone = draft.sections[1]!.questions[1]!;
    tone.choices[0]!.label = ' ';
    tone.choices[0]!.points = '0';
    const e = validateDraft(draft).errors;
    expect(e['sections.0.questions.0.weight']).toBe('Enter a number.');
    expect(e['sections.0.questions.1.weight']).toBe('Must be 0 or more.');
    expect(e['sections.1.questions.0.scale']).toBe('The scale must end above where it starts (e.g. 1 to 5).');
    expect(e['sections.1.questions.1.choices.0.label']).toBe('Name the choice.');
    expect(e['sections.1.questions.1.choices']).toMatch(/at least one choice must earn points/i);
  });

  it('sends only the fields of the chosen answer type', () => {
    const draft = toDraft(DEF);
    draft.sections[1]!.questions[0]!.type = 'yes_no'; // was a scale: its bounds are dropped
    const input = toDefinitionInput(draft) as ScorecardDefinition;
    expect(input.sections[1]!.questions[0]).not.toHaveProperty('scale');
    expect(input.sections[1]!.questions[1]!.choices).toHaveLength(2);
    expect(input.sections[0]!.questions[0]).not.toHaveProperty('guidance');
  });

  it('maps the server’s issue paths onto the editor’s fields', () => {
    expect(serverErrors([{ path: 'definition.sections.0.questions.1.id', message: 'question id "x" is used twice' }])).toEqual({ 'sections.0.questions.1.id': 'Question id "x" is used twice' });
  });

  it('moves an item and ignores moves past either end', () => {
    expect(move(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(move(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });
});

describe('sampling periods (as the server counts them)', () => {
  it('names ISO weeks and months in UTC', () => {
    expect(periodKeyOf(new Date('2026-11-23T00:00:00Z'), 'week')).toBe('2026-W48');
    expect(periodKeyOf(new Date('2026-11-22T23:59:59Z'), 'week')).toBe('2026-W47');
    expect(periodKeyOf(new Date('2027-01-01T12:00:00Z'), 'week')).toBe('2026-W53');
    expect(periodKeyOf(new Date('2021-01-03T12:00:00Z'), 'week')).toBe('2020-W53');
    expect(periodKeyOf(new Date('2026-12-31T23:00:00Z'), 'month')).toBe('2026-12');
  });

  it('gives a period’s bounds and the periods a range touches', () => {
    const w = periodRange(new Date('2026-11-26T15:00:00Z'), 'week');
    expect([w.start.toISOString(), w.end.toISOString()]).toEqual(['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    expect(periodsIn(new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'), 'week')).toEqual(['2026-W44', '2026-W45', '2026-W46', '2026-W47', '2026-W48', '2026-W49']);
    expect(periodsIn(new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'), 'month')).toEqual(['2026-11']);
  });
});

describe('chart axes', () => {
  it('picks round ticks from 0 to at least the maximum', () => {
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(3, 4)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
