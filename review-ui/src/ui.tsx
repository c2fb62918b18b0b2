import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { InputHTMLAttributes, ReactNode, RefObject, SelectHTMLAttributes } from 'react';
import type { Role } from '@duet/protocol';
import { ApiError } from './api';
import { ROLE_LABELS } from './format';

/* ------------------------------------------------------------------ data loading */

export type Resource<T> = {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
};

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, { error: 'unexpected', message: error instanceof Error ? error.message : String(error) });
}

/** Load once on mount (and on `reload()`), cancelling a request whose answer nobody awaits. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    loadRef.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setError(asApiError(err));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, error, loading, reload };
}

/** Runs a mutation, exposing `busy` and the last error; resolves to the result or undefined on failure. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> => {
    setBusy(true);
    setError(null);
    try {
      const value = await action();
      return { ok: true, value };
    } catch (err) {
      setError(asApiError(err));
      return { ok: false };
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}

/** After a rejected submit, move focus to the first field the server flagged. */
export function useFocusFirstInvalid(form: RefObject<HTMLFormElement | null>, error: ApiError | null): void {
  useEffect(() => {
    if (!error || error.issues.length === 0) return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"], .field-invalid input')?.focus();
  }, [form, error]);
}

/* ------------------------------------------------------------------ page furniture */

export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title === 'Duet' ? 'Duet' : `${title} · Duet`;
  }, [title]);
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  usePageTitle(title);
  return (
    <div className="page-header">
      <div className="page-header-text">
        <h1 tabIndex={-1}>{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  const headingId = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={title ? headingId : undefined}>
      {title || actions ? (
        <div className="card-header">
          {title ? <h2 id={headingId}>{title}</h2> : <span />}
          {actions ? <div className="card-actions">{actions}</div> : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function ErrorBanner({ error, onRetry, title }: { error: ApiError | string; onRetry?: () => void; title?: string }) {
  const message = typeof error === 'string' ? error : error.message;
  const heading = title ?? (typeof error !== 'string' && error.status === 403 ? 'Not allowed' : 'Something went wrong');
  return (
    <div className="banner banner-error" role="alert">
      <svg className="banner-icon" viewBox="0 0 20 20" aria-hidden="true">
        <circle cx="10" cy="10" r="8.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
        <path d="M10 5.5v5.5M10 13.6v.4" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
      </svg>
      <div className="banner-body">
        <strong>{heading}</strong>
        <p>{message}</p>
      </div>
      {onRetry ? (
        <button type="button" className="btn btn-secondary btn-sm" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A polite confirmation of what just happened ("User ana created."). */
export function Notice({ message, onDismiss }: { message: string | null; onDismiss: () => void }) {
  useEffect(() => {
    if (!message) return;
    const t = window.setTimeout(onDismiss, 6000);
    return () => window.clearTimeout(t);
  }, [message, onDismiss]);
  return (
    <div role="status" aria-live="polite" className="notice-region">
      {message ? (
        <div className="banner banner-success">
          <svg className="banner-icon" viewBox="0 0 20 20" aria-hidden="true">
            <circle cx="10" cy="10" r="8.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
            <path d="M6.3 10.3l2.5 2.5 5-5.3" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          <div className="banner-body">
            <p>{message}</p>
          </div>
          <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss} aria-label="Dismiss">
            ×
          </button>
        </div>
      ) : null}
    </div>
  );
}

export function useNotice() {
  const [message, setMessage] = useState<string | null>(null);
  const dismiss = useCallback(() => setMessage(null), []);
  return { message, show: setMessage, dismiss };
}

export function Loading({ label }: { label: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <svg className="empty-icon" viewBox="0 0 48 48" aria-hidden="true">
        <rect x="7" y="10" width="34" height="24" rx="4" fill="none" stroke="currentColor" strokeWidth="2" />
        <path d="M17 40h14M24 34v6" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        <path d="M16 22h2M22 18v8M28 20v4M32 22h0" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <p className="empty-title">{title}</p>
      {children ? <p className="empty-text">{children}</p> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

/** A horizontally scrollable, keyboard-focusable wrapper so wide tables work on a phone. */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'accent';

export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function RoleChips({ roles }: { roles: readonly Role[] }) {
  return (
    <span className="chips">
      {roles.map((r) => (
        <span key={r} className={`chip chip-${r}`}>
          {ROLE_LABELS[r]}
        </span>
      ))}
    </span>
  );
}

/* ------------------------------------------------------------------ dialogs */

/**
 * A modal built on the native <dialog>: focus is trapped and returned by the browser, Escape
 * closes it. `onClose` runs for every way of closing.
 */
export function Modal({
  open,
  title,
  onClose,
  children,
  footer,
  size = 'md',
  dismissable = true,
  bare = false,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  dismissable?: boolean;
  /** Children bring their own `.modal-body` and `.modal-footer` (e.g. inside a <form>). */
  bare?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // Start in the first field of a form rather than on the close button.
      dialog.querySelector<HTMLElement>('.modal-body :is(input, select, textarea):not(:disabled)')?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`modal modal-${size}`}
      aria-labelledby={titleId}
      onClose={() => {
        if (open) onClose();
      }}
      onCancel={(e) => {
        if (!dismissable) e.preventDefault();
      }}
    >
      {open ? (
        <>
          <div className="modal-header">
            <h2 id={titleId}>{title}</h2>
            {dismissable ? (
              <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
                <svg viewBox="0 0 20 20" aria-hidden="true">
                  <path d="M5 5l10 10M15 5L5 15" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
                </svg>
              </button>
            ) : null}
          </div>
          {bare ? (
            children
          ) : (
            <>
              <div className="modal-body">{children}</div>
              {footer ? <div className="modal-footer">{footer}</div> : null}
            </>
          )}
        </>
      ) : null}
    </dialog>
  );
}

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onCancel,
  tone = 'danger',
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy: boolean;
  error: ApiError | null;
  onConfirm: () => void;
  onCancel: () => void;
  tone?: 'danger' | 'primary';
}) {
  return (
    <Modal
      open={open}
      title={title}
      onClose={onCancel}
      size="sm"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className={`btn btn-${tone}`} onClick={onConfirm} disabled={busy} aria-busy={busy}>
            {busy ? <span className="spinner spinner-inline" aria-hidden="true" /> : null}
            {confirmLabel}
          </button>
        </>
      }
    >
      {error ? <ErrorBanner error={error} /> : null}
      <div className="confirm-text">{children}</div>
    </Modal>
  );
}

/* ------------------------------------------------------------------ form fields */

type FieldShell = { label: string; error?: string; hint?: ReactNode };

export function TextField({ label, error, hint, className, ...input }: FieldShell & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const showHint = Boolean(hint) && !error;
  const describedBy = [showHint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {showHint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function SelectField({
  label,
  error,
  hint,
  className,
  children,
  ...select
}: FieldShell & SelectHTMLAttributes<HTMLSelectElement> & { children: ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const showHint = Boolean(hint) && !error;
  const describedBy = [showHint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...select}>
        {children}
      </select>
      {showHint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled group of checkboxes (a fieldset with a legend) for choosing several values. */
export function CheckboxGroup<V extends string>({
  legend,
  options,
  value,
  onChange,
  error,
  hint,
  emptyText,
}: {
  legend: string;
  options: readonly { value: V; label: string; description?: string }[];
  value: readonly V[];
  onChange: (next: V[]) => void;
  error?: string;
  hint?: ReactNode;
  emptyText?: string;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className={`field checkbox-group ${error ? 'field-invalid' : ''}`} aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {options.length === 0 ? <p className="field-hint">{emptyText ?? 'Nothing to choose from yet.'}</p> : null}
      <div className="checkbox-grid">
        {options.map((option) => {
          const checked = value.includes(option.value);
          return (
            <label key={option.value} className={`checkbox ${checked ? 'checked' : ''}`}>
              <input
                type="checkbox"
                checked={checked}
                onChange={(e) =>
                  onChange(e.target.checked ? [...value, option.value] : value.filter((v) => v !== option.value))
                }
              />
              <span>
                {option.label}
                {option.description ? <small>{option.description}</small> : null}
              </span>
            </label>
          );
        })}
      </div>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export function SubmitButton({ busy, children, className = 'btn btn-primary', form }: { busy: boolean; children: ReactNode; className?: string; form?: string }) {
  return (
    <button type="submit" className={className} disabled={busy} aria-busy={busy} form={form}>
      {busy ? <span className="spinner spinner-inline" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}
