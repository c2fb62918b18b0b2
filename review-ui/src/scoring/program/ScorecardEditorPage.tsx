import { useEffect, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import type { Answers, AnswerType, ScorecardDefinition } from '@duet/protocol';
import { formatDateTime } from '../../format';
import { Link, navigate } from '../../router';
import { Badge, Card, ConfirmDialog, ErrorBanner, Loading, Modal, Notice, PageHeader, SelectField, TextField, useAction, useNotice, useResource } from '../../ui';
import { EvaluationForm } from '../common/EvaluationForm';
import { programApi, type ScorecardDetail } from './api';
import {
  ANSWER_TYPE_LABELS,
  emptyDraft,
  move,
  newChoice,
  newQuestion,
  newSection,
  serverErrors,
  toDraft,
  totalWeight,
  validateDraft,
  type CardDraft,
  type ChoiceDraft,
  type QuestionDraft,
  type SectionDraft,
} from './scorecard-draft';
import { ScorecardStatus } from './ScorecardsPage';
import { ProgramTabs, TextAreaField } from './shared';

/** `/quality/scorecards/new` and `/quality/scorecards/:id`. */
export function ScorecardEditorPage({ id }: { id: string | null }) {
  const card = useResource<ScorecardDetail | null>((signal) => (id ? programApi.scorecard(id, signal) : Promise.resolve(null)));
  if (card.error) {
    return (
      <div className="page-stack">
        <PageHeader title="Scorecard" />
        <ErrorBanner error={card.error} onRetry={card.reload} />
      </div>
    );
  }
  if (card.loading && card.data === undefined) return <Loading label="Loading the scorecard…" />;
  // Keyed by the version shown, so a reload after saving starts from the server's copy.
  const shown = card.data ? editableVersion(card.data) : null;
  return <Editor key={shown ? `${shown.version}-${card.data!.draftVersion}-${card.data!.publishedVersion}` : 'new'} card={card.data ?? null} onSaved={card.reload} />;
}

/** The draft when there is one, else the newest published version. */
function editableVersion(card: ScorecardDetail) {
  return card.versions.find((v) => !v.publishedAt) ?? card.versions[0] ?? null;
}

type ErrorMap = Record<string, string>;

function Editor({ card, onSaved }: { card: ScorecardDetail | null; onSaved: () => void }) {
  const base = card ? editableVersion(card) : null;
  const [draft, setDraft] = useState<CardDraft>(() => (base ? toDraft(base.definition) : emptyDraft()));
  const [dirty, setDirty] = useState(false);
  const [showErrors, setShowErrors] = useState(false);
  const [preview, setPreview] = useState<{ definition: ScorecardDefinition; title: string } | null>(null);
  const [previewAnswers, setPreviewAnswers] = useState<Answers>({});
  const save = useAction();
  const publish = useAction();
  const archive = useAction();
  const [confirmArchive, setConfirmArchive] = useState(false);
  const notice = useNotice();
  const archived = card?.status === 'archived';

  const validation = useMemo(() => validateDraft(draft), [draft]);
  const apiErrors = save.error ? serverErrors(save.error.issues) : {};
  const errors: ErrorMap = showErrors ? { ...apiErrors, ...validation.errors } : apiErrors;
  const errorCount = Object.keys(errors).length;

  // Leaving with unsaved edits asks first (closing the tab or reloading).
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  function update(next: CardDraft) {
    setDraft(next);
    setDirty(true);
  }
  const setSection = (i: number, s: SectionDraft) => update({ ...draft, sections: draft.sections.map((x, k) => (k === i ? s : x)) });

  /** Saves the draft version; resolves to the saved scorecard, or null when refused. */
  async function saveDraft(): Promise<ScorecardDetail | null> {
    setShowErrors(true);
    if (!validation.definition) {
      window.requestAnimationFrame(() => document.querySelector<HTMLElement>('.editor-main [aria-invalid="true"]')?.focus());
      return null;
    }
    const definition = validation.definition;
    const r = await save.run(() => (card ? programApi.saveScorecard(card.id, definition) : programApi.createScorecard(definition)));
    if (!r.ok) return null;
    setDirty(false);
    return r.value;
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const saved = await saveDraft();
    if (!saved) return;
    if (!card) {
      navigate(`/quality/scorecards/${saved.id}`, { replace: true });
      return;
    }
    notice.show(`Draft v${saved.draftVersion ?? ''} saved.`);
    onSaved();
  }

  async function onPublish() {
    let target = card;
    if (dirty || !card) {
      target = await saveDraft();
      if (!target) return;
    }
    const r = await publish.run(() => programApi.publishScorecard(target!.id));
    if (!r.ok) return;
    if (!card) navigate(`/quality/scorecards/${r.value.id}`, { replace: true });
    else {
      notice.show(`Version ${r.value.publishedVersion} published: new evaluations use it.`);
      onSaved();
    }
  }

  const canPublish = !archived && (dirty || !card || card.draftVersion !== null);
  const def = validation.definition;
  const title = card ? card.name : 'New scorecard';

  return (
    <div className="page-stack">
      <PageHeader
        title={title}
        description={
          <>
            <Link to="/quality/scorecards">Scorecards</Link>
            {card ? (
              <>
                {' '}
                · <ScorecardStatus card={card} />
              </>
            ) : null}
          </>
        }
        actions={
          <>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => {
                setShowErrors(true);
                if (def) {
                  setPreviewAnswers({});
                  setPreview({ definition: def, title: 'Preview: what evaluators see' });
                }
              }}
            >
              Preview
            </button>
            {card && !archived ? (
              <button type="button" className="btn btn-danger-outline" onClick={() => setConfirmArchive(true)}>
                Archive
              </button>
            ) : null}
            {!archived ? (
              <button type="submit" form="scorecard-form" className="btn btn-secondary" disabled={save.busy || publish.busy} aria-busy={save.busy}>
                Save draft
              </button>
            ) : null}
            {!archived ? (
              <button type="button" className="btn btn-primary" onClick={onPublish} disabled={!canPublish || save.busy || publish.busy} aria-busy={publish.busy}>
                {card?.publishedVersion ? 'Publish new version' : 'Publish'}
              </button>
            ) : null}
          </>
        }
      />
      <ProgramTabs />
      <Notice message={notice.message} onDismiss={notice.dismiss} />
      {archived ? <ErrorBanner error="This scorecard is archived: restore it from the list before editing." title="Read only" /> : null}
      {save.error && save.error.issues.length === 0 ? <ErrorBanner error={save.error} title="Could not save" /> : null}
      {publish.error ? <ErrorBanner error={publish.error} title="Could not publish" /> : null}
      {card?.publishedVersion && !card.draftVersion && !dirty ? (
        <div className="banner banner-info" role="note">
          <div className="banner-body">
            <p>
              Version {card.publishedVersion} is published and never changes. Saving an edit starts version {card.publishedVersion + 1} as a draft; evaluations keep the version they were made with.
            </p>
          </div>
        </div>
      ) : null}
      <div className="editor-layout">
        <form id="scorecard-form" className="editor-main" onSubmit={onSubmit} noValidate>
          <fieldset disabled={archived} className="form" style={{ border: 0, padding: 0, margin: 0 }}>
            {showErrors && errorCount > 0 ? (
              <div className="error-summary" role="alert">
                <strong>{errorCount === 1 ? 'One field needs attention' : `${errorCount} fields need attention`}</strong>
                Each problem is shown beside its field.
              </div>
            ) : null}
            <Card title="Scorecard">
              <TextField label="Name" value={draft.name} onChange={(e) => update({ ...draft, name: e.target.value })} error={errors.name} maxLength={200} />
              <TextAreaField label="Description (optional)" value={draft.description} onChange={(e) => update({ ...draft, description: e.target.value })} error={errors.description} />
              {errors.sections ? <p className="field-error">{errors.sections}</p> : null}
            </Card>
            {draft.sections.map((s, si) => (
              <SectionEditor
                key={s.key}
                section={s}
                index={si}
                count={draft.sections.length}
                errors={errors}
                onChange={(next) => setSection(si, next)}
                onMove={(to) => update({ ...draft, sections: move(draft.sections, si, to) })}
                onRemove={() => update({ ...draft, sections: draft.sections.filter((_, k) => k !== si) })}
              />
            ))}
            <div>
              <button type="button" className="btn btn-secondary" onClick={() => update({ ...draft, sections: [...draft.sections, newSection()] })}>
                + Add section
              </button>
            </div>
          </fieldset>
        </form>
        <aside className="editor-side" aria-label="Scorecard summary and versions">
          <Card title="Summary">
            <dl className="summary-list">
              <dt>Sections</dt>
              <dd>{draft.sections.length}</dd>
              <dt>Questions</dt>
              <dd data-testid="question-count">{draft.sections.reduce((a, s) => a + s.questions.length, 0)}</dd>
              <dt>Critical questions</dt>
              <dd>{draft.sections.reduce((a, s) => a + s.questions.filter((q) => q.critical).length, 0)}</dd>
              <dt>Points possible</dt>
              <dd>{def ? totalWeight(def.sections) : '—'}</dd>
              <dt>Unsaved changes</dt>
              <dd>{dirty ? 'Yes' : 'No'}</dd>
            </dl>
          </Card>
          {card ? (
            <Card title="Version history">
              <ol className="version-list" aria-label="Versions" data-testid="versions">
                {card.versions.map((v) => (
                  <li key={v.id}>
                    <span>
                      <strong>v{v.version}</strong>{' '}
                      {v.publishedAt ? (
                        <Badge tone={v.version === card.publishedVersion ? 'success' : 'neutral'}>{v.version === card.publishedVersion ? 'In use' : 'Published'}</Badge>
                      ) : (
                        <Badge tone="warning">Draft</Badge>
                      )}
                      <span className="cell-sub">{v.publishedAt ? `Published ${formatDateTime(v.publishedAt)}` : 'Not published'}</span>
                    </span>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      aria-label={`View version ${v.version}`}
                      onClick={() => {
                        setPreviewAnswers({});
                        setPreview({ definition: v.definition, title: `Version ${v.version}${v.publishedAt ? '' : ' (draft)'}` });
                      }}
                    >
                      View
                    </button>
                  </li>
                ))}
              </ol>
            </Card>
          ) : null}
        </aside>
      </div>
      <ConfirmDialog
        open={confirmArchive}
        title={`Archive ${card?.name ?? ''}?`}
        confirmLabel="Archive"
        busy={archive.busy}
        error={archive.error}
        onCancel={() => setConfirmArchive(false)}
        onConfirm={async () => {
          const r = await archive.run(() => programApi.archiveScorecard(card!.id));
          if (r.ok) {
            setConfirmArchive(false);
            onSaved();
          }
        }}
      >
        <p>New evaluations, calibration sessions and sampling plans can no longer choose it. Evaluations made with it keep their version; you can restore it from the list.</p>
      </ConfirmDialog>
      <Modal open={preview !== null} title={preview?.title ?? ''} onClose={() => setPreview(null)} size="lg">
        {preview ? (
          <>
            <p className="muted" style={{ marginBottom: 12 }}>
              Try answers here: the score is computed as it will be for a real evaluation. Nothing is saved.
            </p>
            <EvaluationForm definition={preview.definition} answers={previewAnswers} onChange={setPreviewAnswers} />
          </>
        ) : null}
      </Modal>
    </div>
  );
}

function SectionEditor({
  section: s,
  index: si,
  count,
  errors,
  onChange,
  onMove,
  onRemove,
}: {
  section: SectionDraft;
  index: number;
  count: number;
  errors: ErrorMap;
  onChange: (s: SectionDraft) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const p = `sections.${si}`;
  const setQuestion = (qi: number, q: QuestionDraft) => onChange({ ...s, questions: s.questions.map((x, k) => (k === qi ? q : x)) });
  const label = s.title.trim() || `Section ${si + 1}`;
  return (
    <section className="card section-editor" aria-label={`Section ${si + 1}`}>
      <div className="section-head">
        <div className="form" style={{ gap: 12 }}>
          <span className="section-number">Section {si + 1}</span>
          <TextField label="Section title" value={s.title} onChange={(e) => onChange({ ...s, title: e.target.value })} error={errors[`${p}.title`]} maxLength={200} />
          <TextAreaField label="Section description (optional)" value={s.description} onChange={(e) => onChange({ ...s, description: e.target.value })} />
        </div>
        <div className="icon-actions">
          <button type="button" className="btn btn-secondary btn-sm btn-icon" aria-label={`Move ${label} up`} disabled={si === 0} onClick={() => onMove(si - 1)}>
            ↑
          </button>
          <button type="button" className="btn btn-secondary btn-sm btn-icon" aria-label={`Move ${label} down`} disabled={si === count - 1} onClick={() => onMove(si + 1)}>
            ↓
          </button>
          <button type="button" className="btn btn-danger-outline btn-sm" aria-label={`Remove ${label}`} disabled={count === 1} onClick={onRemove}>
            Remove
          </button>
        </div>
      </div>
      {errors[`${p}.questions`] ? <p className="field-error">{errors[`${p}.questions`]}</p> : null}
      <ol className="question-list">
        {s.questions.map((q, qi) => (
          <QuestionEditor
            key={q.key}
            question={q}
            number={`${si + 1}.${qi + 1}`}
            path={`${p}.questions.${qi}`}
            errors={errors}
            first={qi === 0}
            last={qi === s.questions.length - 1}
            onChange={(next) => setQuestion(qi, next)}
            onMove={(d) => onChange({ ...s, questions: move(s.questions, qi, qi + d) })}
            onRemove={() => onChange({ ...s, questions: s.questions.filter((_, k) => k !== qi) })}
          />
        ))}
      </ol>
      <div>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => onChange({ ...s, questions: [...s.questions, newQuestion()] })}>
          + Add question to {label}
        </button>
      </div>
    </section>
  );
}

function QuestionEditor({
  question: q,
  number,
  path: p,
  errors,
  first,
  last,
  onChange,
  onMove,
  onRemove,
}: {
  question: QuestionDraft;
  number: string;
  path: string;
  errors: ErrorMap;
  first: boolean;
  last: boolean;
  onChange: (q: QuestionDraft) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}) {
  const hasError = Object.keys(errors).some((k) => k === p || k.startsWith(`${p}.`));
  const setChoice = (ci: number, c: ChoiceDraft) => onChange({ ...q, choices: q.choices.map((x, k) => (k === ci ? c : x)) });
  const name = `question ${number}`;
  return (
    <li className={`question-editor ${hasError ? 'has-error' : ''}`} aria-label={`Question ${number}`}>
      <div className="question-top">
        <span className="question-index">
          Question {number}
          {q.critical ? (
            <>
              {' '}
              <Badge tone="danger">Critical</Badge>
            </>
          ) : null}
        </span>
        <span className="icon-actions">
          <button type="button" className="btn btn-secondary btn-sm btn-icon" aria-label={`Move ${name} up`} disabled={first} onClick={() => onMove(-1)}>
            ↑
          </button>
          <button type="button" className="btn btn-secondary btn-sm btn-icon" aria-label={`Move ${name} down`} disabled={last} onClick={() => onMove(1)}>
            ↓
          </button>
          <button type="button" className="btn btn-ghost btn-sm" aria-label={`Remove ${name}`} onClick={onRemove}>
            Remove
          </button>
        </span>
      </div>
      <TextField label={`Question ${number} text`} value={q.text} onChange={(e) => onChange({ ...q, text: e.target.value })} error={errors[`${p}.text`] ?? errors[`${p}.id`]} maxLength={500} />
      <div className="question-grid">
        <SelectField label="Answer type" value={q.type} onChange={(e) => onChange({ ...q, type: e.target.value as AnswerType })}>
          {(Object.keys(ANSWER_TYPE_LABELS) as AnswerType[]).map((t) => (
            <option key={t} value={t}>
              {ANSWER_TYPE_LABELS[t]}
            </option>
          ))}
        </SelectField>
        <TextField label="Weight (points)" type="number" inputMode="decimal" min={0} max={1000} value={q.weight} onChange={(e) => onChange({ ...q, weight: e.target.value })} error={errors[`${p}.weight`]} />
        <div className="question-flags">
          <label className="inline-check">
            <input type="checkbox" checked={q.allowNa} onChange={(e) => onChange({ ...q, allowNa: e.target.checked })} />
            N/A allowed
          </label>
          <label className="inline-check" title="Failing it sets the whole evaluation to 0, with the reason shown">
            <input type="checkbox" checked={q.critical} onChange={(e) => onChange({ ...q, critical: e.target.checked })} />
            Critical (fails the evaluation)
          </label>
        </div>
      </div>
      {q.type === 'scale' ? (
        <div>
          <div className="scale-row">
            <TextField label="Scale from" type="number" min={0} max={100} value={q.scaleMin} onChange={(e) => onChange({ ...q, scaleMin: e.target.value })} error={errors[`${p}.scale.min`]} />
            <TextField label="Scale to" type="number" min={1} max={100} value={q.scaleMax} onChange={(e) => onChange({ ...q, scaleMax: e.target.value })} error={errors[`${p}.scale.max`]} />
          </div>
          {errors[`${p}.scale`] ? <p className="field-error">{errors[`${p}.scale`]}</p> : <p className="field-hint">The lowest earns nothing, the highest the full weight, linearly between.</p>}
        </div>
      ) : null}
      {q.type === 'choice' ? (
        <fieldset className="field">
          <legend>Choices (points are relative: the best choice earns the full weight)</legend>
          <div className="choice-list">
            {q.choices.map((c, ci) => (
              <div className="choice-row" key={c.key}>
                <TextField label={`Choice ${ci + 1}`} value={c.label} onChange={(e) => setChoice(ci, { ...c, label: e.target.value })} error={errors[`${p}.choices.${ci}.label`] ?? errors[`${p}.choices.${ci}.id`]} maxLength={200} />
                <TextField label="Points" type="number" min={0} value={c.points} onChange={(e) => setChoice(ci, { ...c, points: e.target.value })} error={errors[`${p}.choices.${ci}.points`]} />
                <button type="button" className="btn btn-ghost btn-sm" aria-label={`Remove choice ${ci + 1} of ${name}`} disabled={q.choices.length <= 2} onClick={() => onChange({ ...q, choices: q.choices.filter((_, k) => k !== ci) })}>
                  Remove
                </button>
              </div>
            ))}
          </div>
          {errors[`${p}.choices`] ? <p className="field-error">{errors[`${p}.choices`]}</p> : null}
          <div>
            <button type="button" className="btn btn-secondary btn-sm" disabled={q.choices.length >= 20} onClick={() => onChange({ ...q, choices: [...q.choices, newChoice()] })}>
              + Add choice
            </button>
          </div>
        </fieldset>
      ) : null}
      <TextAreaField label="Guidance for evaluators (optional)" hint="What to listen and look for; shown beside the question." value={q.guidance} onChange={(e) => onChange({ ...q, guidance: e.target.value })} error={errors[`${p}.guidance`]} maxLength={4000} />
    </li>
  );
}

