import { useId } from 'react';
import type { ReactNode, TextareaHTMLAttributes } from 'react';
import type { Me, Role } from '@duet/protocol';
import { useMe } from '../../auth';
import { NavLink, usePath } from '../../router';
import './program.css';

/** The quality programme's pages, each with the roles the server lets use it. */
export const PROGRAM_TABS: { path: string; label: string; roles: readonly Role[] }[] = [
  { path: '/quality/scorecards', label: 'Scorecards', roles: ['admin', 'qa'] },
  { path: '/quality/calibration', label: 'Calibration', roles: ['admin', 'qa', 'supervisor'] },
  { path: '/quality/plans', label: 'Sampling plans', roles: ['admin', 'qa'] },
  { path: '/quality/fairness', label: 'Fairness', roles: ['admin', 'qa', 'supervisor'] },
];

export const mayUse = (me: Me, roles: readonly Role[]) => roles.some((r) => me.roles.includes(r));

/** Second-level navigation between the programme's pages. */
export function ProgramTabs() {
  const me = useMe();
  const path = usePath();
  const tabs = PROGRAM_TABS.filter((t) => mayUse(me, t.roles));
  return (
    <nav aria-label="Quality programme" className="program-tabs">
      {tabs.map((t, i) => (
        // `/quality` shows the first page this person may use.
        <NavLink key={t.path} to={t.path} active={path === '/quality' ? i === 0 : undefined}>
          {t.label}
        </NavLink>
      ))}
    </nav>
  );
}

/** A multi-line text field in the style of the app's `TextField`. */
export function TextAreaField({ label, error, hint, className, ...rest }: { label: string; error?: string; hint?: ReactNode } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  const describedBy = [hint && !error ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} rows={2} {...rest} />
      {hint && !error ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A number shown big with a label, for a page's headline figures. */
export function Figure({ label, value, sub, tone }: { label: string; value: ReactNode; sub?: ReactNode; tone?: 'good' | 'bad' }) {
  return (
    <div className={`figure ${tone ? `figure-${tone}` : ''}`}>
      <span className="figure-label">{label}</span>
      <span className="figure-value">{value}</span>
      {sub ? <span className="figure-sub">{sub}</span> : null}
    </div>
  );
}

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Number.isInteger(v) ? v : v.toFixed(1)}%`);
