import { useCallback, useEffect, useRef, useState } from 'react';
import type { NotificationList } from '@duet/protocol';
import { formatRelative } from '../../format';
import { navigate, usePath } from '../../router';
import { evaluationApi } from './api';
import './evaluation.css';

const POLL_MS = 30_000;

/**
 * The top bar's bell: the unread count, and on click the latest notifications. Checked on every
 * page change and every 30 s (paused while the tab is hidden); opening one marks it read.
 */
export function NotificationBell() {
  const path = usePath();
  const [data, setData] = useState<NotificationList | null>(null);
  const [open, setOpen] = useState(false);
  const [failed, setFailed] = useState(false);
  const root = useRef<HTMLDivElement>(null);

  const load = useCallback(() => {
    evaluationApi.notifications().then(
      (d) => (setData(d), setFailed(false)),
      () => setFailed(true),
    );
  }, []);

  useEffect(load, [load, path]);
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') load();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [load]);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const unread = data?.unread ?? 0;
  async function openOne(id: string, link: string | null, isUnread: boolean) {
    setOpen(false);
    if (isUnread) await evaluationApi.markRead({ ids: [id] }).then(load, () => {});
    if (link) navigate(link);
  }

  return (
    <div className="notif" ref={root}>
      <button
        type="button"
        className="notif-btn"
        aria-expanded={open}
        aria-haspopup="true"
        aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
        onClick={() => (setOpen((o) => !o), load())}
        data-testid="notifications-button"
      >
        <svg viewBox="0 0 20 20" aria-hidden="true">
          <path d="M10 2.5a5 5 0 0 0-5 5v3.2L3.5 13.5h13L15 10.7V7.5a5 5 0 0 0-5-5zM8 15.5a2 2 0 0 0 4 0" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
        </svg>
        {unread ? (
          <span className="notif-count" data-testid="notifications-unread">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div className="notif-menu" role="dialog" aria-label="Notifications">
          <div className="notif-menu-head">
            <h2>Notifications</h2>
            {unread ? (
              <button type="button" className="eval-link" onClick={() => void evaluationApi.markRead({ all: true }).then(load, () => {})}>
                Mark all read
              </button>
            ) : null}
          </div>
          {failed && !data ? <p className="muted small notif-empty">Notifications could not be loaded.</p> : null}
          {data && data.notifications.length === 0 ? <p className="muted small notif-empty">Nothing yet. You are told here when an evaluation or a dispute concerns you.</p> : null}
          <ul>
            {data?.notifications.map((n) => (
              <li key={n.id}>
                <button type="button" className={`notif-item ${n.readAt ? '' : 'unread'}`} onClick={() => void openOne(n.id, n.link, !n.readAt)}>
                  <strong>{n.title}</strong>
                  {n.body ? <span>{n.body}</span> : null}
                  <span>{formatRelative(n.createdAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
