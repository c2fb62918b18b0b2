import { ScorecardDefinition } from '@duet/protocol';
import type { AnswerType, Question, Section } from '@duet/protocol';

/**
 * The scorecard editor's working copy. Each section, question and choice carries a `key` that
 * React uses while they are reordered; ids (slugs) are what the server keeps. A new item's id
 * follows its text until the draft is saved once; after that it is locked, because answers,
 * calibration agreement and analytics match questions across versions by id.
 */
export type ChoiceDraft = { key: string; id: string; idLocked: boolean; label: string; points: string };
export type QuestionDraft = {
  key: string;
  id: string;
  idLocked: boolean;
  text: string;
  guidance: string;
  type: AnswerType;
  weight: string;
  allowNa: boolean;
  critical: boolean;
  scaleMin: string;
  scaleMax: string;
  choices: ChoiceDraft[];
};
export type SectionDraft = { key: string; id: string; idLocked: boolean; title: string; description: string; questions: QuestionDraft[] };
export type CardDraft = { name: string; description: string; sections: SectionDraft[] };

let counter = 0;
const newKey = () => `k${++counter}`;

export const ANSWER_TYPE_LABELS: Record<AnswerType, string> = { yes_no: 'Yes / No', scale: 'Scale', choice: 'Choice' };

/** A lowercase slug from free text, as the protocol's `Slug` accepts it. */
export function slugify(text: string, fallback: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return s || fallback;
}

function unique(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/** Re-derives the unlocked ids from their texts, keeping every id unique in its scope. */
export function withIds(d: CardDraft): CardDraft {
  const sectionIds = new Set(d.sections.filter((s) => s.idLocked).map((s) => s.id));
  const questionIds = new Set(d.sections.flatMap((s) => s.questions.filter((q) => q.idLocked).map((q) => q.id)));
  return {
    ...d,
    sections: d.sections.map((s, si) => ({
      ...s,
      id: s.idLocked ? s.id : unique(slugify(s.title, `section-${si + 1}`), sectionIds),
      questions: s.questions.map((q, qi) => {
        const choiceIds = new Set(q.choices.filter((c) => c.idLocked).map((c) => c.id));
        return {
          ...q,
          id: q.idLocked ? q.id : unique(slugify(q.text, `question-${si + 1}-${qi + 1}`), questionIds),
          choices: q.choices.map((c, ci) => ({ ...c, id: c.idLocked ? c.id : unique(slugify(c.label, `choice-${ci + 1}`), choiceIds) })),
        };
      }),
    })),
  };
}

export function newChoice(label = '', points = ''): ChoiceDraft {
  return { key: newKey(), id: '', idLocked: false, label, points };
}

export function newQuestion(): QuestionDraft {
  return {
    key: newKey(),
    id: '',
    idLocked: false,
    text: '',
    guidance: '',
    type: 'yes_no',
    weight: '1',
    allowNa: false,
    critical: false,
    scaleMin: '1',
    scaleMax: '5',
    choices: [newChoice('', '1'), newChoice('', '0')],
  };
}

export function newSection(): SectionDraft {
  return { key: newKey(), id: '', idLocked: false, title: '', description: '', questions: [newQuestion()] };
}

export function emptyDraft(): CardDraft {
  return { name: '', description: '', sections: [newSection()] };
}

/** A stored definition as an editable draft (ids locked). */
export function toDraft(def: ScorecardDefinition): CardDraft {
  return {
    name: def.name,
    description: def.description ?? '',
    sections: def.sections.map((s) => ({
      key: newKey(),
      id: s.id,
      idLocked: true,
      title: s.title,
      description: s.description ?? '',
      questions: s.questions.map((q) => ({
        key: newKey(),
        id: q.id,
        idLocked: true,
        text: q.text,
        guidance: q.guidance ?? '',
        type: q.type,
        weight: String(q.weight),
        allowNa: q.allowNa,
        critical: q.critical,
        scaleMin: String(q.scale?.min ?? 1),
        scaleMax: String(q.scale?.max ?? 5),
        choices: q.choices?.map((c) => ({ key: newKey(), id: c.id, idLocked: true, label: c.label, points: String(c.points) })) ?? [newChoice('', '1'), newChoice('', '0')],
      })),
    })),
  };
}

/** Locks every id after a save: from now on they are the scorecard's. */
export function lockIds(d: CardDraft): CardDraft {
  return {
    ...d,
    sections: d.sections.map((s) => ({ ...s, idLocked: true, questions: s.questions.map((q) => ({ ...q, idLocked: true, choices: q.choices.map((c) => ({ ...c, idLocked: true })) })) })),
  };
}

const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

/** The definition the server would receive (before validation). Empty optional texts are left out. */
export function toDefinitionInput(d: CardDraft): unknown {
  const withIdsDraft = withIds(d);
  return {
    name: withIdsDraft.name,
    ...(withIdsDraft.description.trim() ? { description: withIdsDraft.description } : {}),
    sections: withIdsDraft.sections.map((s) => ({
      id: s.id,
      title: s.title,
      ...(s.description.trim() ? { description: s.description } : {}),
      questions: s.questions.map((q) => ({
        id: q.id,
        text: q.text,
        ...(q.guidance.trim() ? { guidance: q.guidance } : {}),
        type: q.type,
        weight: num(q.weight),
        allowNa: q.allowNa,
        critical: q.critical,
        ...(q.type === 'scale' ? { scale: { min: num(q.scaleMin), max: num(q.scaleMax) } } : {}),
        ...(q.type === 'choice' ? { choices: q.choices.map((c) => ({ id: c.id, label: c.label, points: num(c.points) })) } : {}),
      })),
    })),
  };
}

/** Field errors keyed by path (`sections.0.questions.1.text`), from the protocol's own schema. */
export function validateDraft(d: CardDraft): { definition: ScorecardDefinition | null; errors: Record<string, string> } {
  const r = ScorecardDefinition.safeParse(toDefinitionInput(d));
  if (r.success) return { definition: r.data, errors: {} };
  const errors: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const key = issue.path.map(String).join('.');
    if (!(key in errors)) errors[key] = readable(issue.message, issue.path.map(String));
  }
  return { definition: null, errors };
}

/** Zod's default wording ("Too small: expected string to have >=1 characters") in the editor's words. */
function readable(message: string, path: string[]): string {
  const last = path[path.length - 1] ?? '';
  if (/expected number, received NaN|Invalid input: expected number/i.test(message)) return 'Enter a number.';
  if (/>=1 characters|too_small.*string|expected string to have >=1/i.test(message)) {
    if (last === 'text') return 'Write the question.';
    if (last === 'title') return 'Give the section a title.';
    if (last === 'name') return 'Give the scorecard a name.';
    if (last === 'label') return 'Name the choice.';
    return 'Required.';
  }
  if (/expected array to have >=1 items/i.test(message) && last === 'questions') return 'A section needs at least one question.';
  if (/scale\.max must be greater than scale\.min/.test(message)) return 'The scale must end above where it starts (e.g. 1 to 5).';
  if (/expected int/i.test(message)) return 'Use a whole number.';
  const low = /expected number to be >=(\d+)/.exec(message);
  if (low) return `Must be ${low[1]} or more.`;
  const high = /expected number to be <=(\d+)/.exec(message);
  if (high) return `Must be ${high[1]} or less.`;
  const long = /expected string to have <=(\d+) characters/.exec(message);
  if (long) return `At most ${long[1]} characters.`;
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** Server issue paths start with the request field (`definition.sections.0…`); the editor's do not. */
export function serverErrors(issues: { path: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const key = i.path.replace(/^definition\.?/, '');
    if (!(key in out)) out[key] = i.message.charAt(0).toUpperCase() + i.message.slice(1);
  }
  return out;
}

/** Points a perfect evaluation earns: the weights of the questions that can earn points. */
export function totalWeight(sections: readonly Section[]): number {
  return sections.reduce((a, s) => a + s.questions.reduce((b, q: Question) => b + q.weight, 0), 0);
}

export function move<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return [...list];
  const out = [...list];
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x!);
  return out;
}
