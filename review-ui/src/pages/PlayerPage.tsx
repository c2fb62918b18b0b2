import { Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type InteractionMedia } from '../api';
import { formatDateTime } from '../format';
import { Player, type PlayerHandle } from '../player/Player';
import { CommentsPanel, useComments } from '../player/comments';
import { initialMsOf } from '../player/first-media';
import { formatClock, formatSpan } from '../player/time';
import { playerBoot, takeEarly } from '../player-prefetch';
import { useQuery } from '../query';
import { Link, useSearch } from '../router';
import { ErrorBanner, Loading, usePageTitle } from '../ui';
import { StatusBadge } from './LibraryPage';
import { lazyNamed } from '../lazy-named';

// The scoring forms are not needed to start playing: their chunk loads beside the player's.
const EvaluationPanel = lazyNamed(() => import('../scoring/evaluation/EvaluationPanel').then((m) => m.EvaluationPanel));

type MediaState =
  | { kind: 'loading' }
  | { kind: 'ready'; media: InteractionMedia }
  | { kind: 'processing'; message: string; progress: number | null }
  | { kind: 'failed'; message: string }
  | { kind: 'error'; error: ApiError };

const POLL_MS = 3000;

/**
 * A re-check while the player is open only brings the analysis (peaks, talk metrics): the audio
 * and screen the player already streams stay as they are, so playback is not interrupted.
 */
function withAnalysis(current: InteractionMedia, next: InteractionMedia): InteractionMedia {
  if (current.manifest.audio?.sha256 !== next.manifest.audio?.sha256) return next;
  const { peaks, metrics, analysis } = next.manifest;
  const urls = peaks && next.urls[peaks.key] ? { ...current.urls, [peaks.key]: next.urls[peaks.key]! } : current.urls;
  return { ...current, urls, manifest: { ...current.manifest, peaks, metrics, analysis } };
}

/** `/interactions/:id?t=<ms>`: the player, or a message a person understands. */
export function PlayerPage({ id }: { id: string }) {
  const search = useSearch();
  const initialMs = initialMsOf(search.toString());
  // Opened straight from a link, the app started these two requests at boot (player-prefetch.ts).
  const summary = useQuery(`interaction:${id}`, () => takeEarly(id, 'summary') ?? api.interaction(id), { staleMs: 30_000 });
  const [media, setMedia] = useState<MediaState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const mediaRef = useRef(media);
  mediaRef.current = media;
  const playerHandle = useRef<PlayerHandle | null>(null);
  const comments = useComments(id);
  const notFound = summary.error?.status === 404 || (media.kind === 'error' && media.error.status === 404);
  usePageTitle(notFound ? 'Not found' : summary.data ? `${summary.data.agentName} · ${summary.data.callId ?? 'Interaction'}` : 'Interaction');

  // The media is asked for once per visit (and again only when the person asks, or while it is
  // still being processed); the server audits the play once per viewing.
  useEffect(() => {
    const controller = new AbortController();
    let timer = 0;
    const early = attempt === 0 ? takeEarly(id, 'media') : undefined;
    (early ?? api.interactionMedia(id, controller.signal)).then(
      (m) => setMedia((current) => ({ kind: 'ready', media: current.kind === 'ready' ? withAnalysis(current.media, m) : m })),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const e = error instanceof ApiError ? error : new ApiError(0, { error: 'unexpected', message: String(error) });
        // A failed re-check while playing changes nothing: the player keeps what it has.
        if (e.status !== 404 && mediaRef.current.kind === 'ready') return;
        if (e.code === 'media_processing') {
          setMedia({ kind: 'processing', message: e.message, progress: e.progress });
          timer = window.setTimeout(() => setAttempt((n) => n + 1), POLL_MS);
        } else if (e.code === 'media_failed') setMedia({ kind: 'failed', message: e.message });
        else setMedia({ kind: 'error', error: e });
      },
    );
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [id, attempt]);

  const checkAgain = useCallback(() => setAttempt((n) => n + 1), []);
  // The same viewing: the server does not audit a renewal as another play.
  const refreshLinks = useCallback(async () => (await api.interactionMedia(id)).urls, [id]);

  if (notFound) {
    return (
      <div className="status-page">
        <p className="status-code">404</p>
        <h1 tabIndex={-1}>Interaction not found</h1>
        <p>There is no interaction at this address that you are allowed to see. It may have been deleted, or it belongs to a team you do not review.</p>
        <Link to="/" className="btn btn-primary">
          Back to interactions
        </Link>
      </div>
    );
  }

  const s = summary.data;
  return (
    <>
      <div className="player-head">
        <div>
          <Link to="/" className="back">
            ← Interactions
          </Link>
          <h1 tabIndex={-1}>{s ? `${s.agentName}${s.callId ? ` · ${s.callId}` : ''}` : 'Interaction'}</h1>
          {s ? (
            <p className="player-meta">
              <span>{formatDateTime(s.startedAt)}</span>
              {s.durationMs !== null ? <span>{formatSpan(s.durationMs)}</span> : null}
              {s.teamName ? <span>{s.teamName}</span> : null}
              {s.direction ? <span>{s.direction === 'inbound' ? 'Inbound' : 'Outbound'}</span> : null}
              <StatusBadge status={s.status} />
              {initialMs ? <span>Opened at {formatClock(initialMs)}</span> : null}
            </p>
          ) : null}
        </div>
      </div>
      {summary.error && summary.error.status !== 404 ? <ErrorBanner error={summary.error} onRetry={summary.refetch} /> : null}

      {media.kind === 'loading' ? <Loading label="Loading the recording…" /> : null}
      {media.kind === 'processing' ? (
        <div className="banner banner-info" role="status">
          <span className="spinner" aria-hidden="true" />
          <div className="banner-body">
            <strong>{s?.status === 'recording' ? 'Still recording' : 'Preparing the recording'}</strong>
            <p>{media.message}</p>
            {media.progress !== null ? (
              <div className="progress" role="progressbar" aria-label="Processing" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(media.progress * 100)}>
                <span style={{ width: `${Math.round(media.progress * 100)}%` }} />
              </div>
            ) : null}
            <p className="muted small">This page checks again every few seconds and starts the player when it is ready.</p>
          </div>
        </div>
      ) : null}
      {media.kind === 'failed' ? <ErrorBanner title="This recording cannot be played" error={media.message} /> : null}
      {media.kind === 'error' ? (
        <ErrorBanner
          title={media.error.status === 403 ? 'Not allowed' : 'The recording could not be loaded'}
          error={media.error.status === 403 ? 'You are not allowed to play this interaction.' : media.error}
          onRetry={checkAgain}
        />
      ) : null}
      {media.kind === 'ready' && s ? (
        <Player
          key={id}
          interaction={s}
          media={media.media}
          initialMs={Math.min(initialMs, media.media.manifest.timelineMs)}
          onCheckAnalysis={checkAgain}
          refreshLinks={refreshLinks}
          handleRef={playerHandle}
          extraMarkers={comments.markers}
          boot={playerBoot}
          side={
            <>
              <Suspense fallback={null}>
                <EvaluationPanel interaction={s} player={playerHandle} />
              </Suspense>
              <CommentsPanel interaction={s} comments={comments} player={playerHandle} />
            </>
          }
        />
      ) : null}
      {media.kind === 'ready' && !s && summary.loading ? <Loading label="Loading the interaction…" /> : null}
    </>
  );
}


