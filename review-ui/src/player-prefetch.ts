import type { InteractionSummary, Me } from '@duet/protocol';
import { request, type InteractionMedia } from './api';
import { firstSegmentKey, initialMsOf } from './player/first-media';
import { decodeSegment, type ReplayEvent } from './player/segments';

/**
 * Opening the app on a player link (a shared moment, a bookmark, a row opened in a new tab) starts
 * what the player page needs at boot, all at once, instead of one after another behind the app's
 * own start (the session check, then the page's code, then the interaction, then its media):
 * the session check itself, the player's code, the interaction, its media answer (signed links) and, as soon as the links
 * are known, the first screen segment (fetched and decoded, for the player's segment cache) and
 * the audio (an audio element the player adopts, so its first second is buffered by Play).
 *
 * The page takes each answer once (`takeEarly`); an answer that is refused (signed out: the
 * session check sends the person to sign in) or that nobody took within a minute is dropped, so
 * a later visit asks the server again. The media request is the play the server audits: it is
 * only made on the player's own address, which the page will ask for anyway.
 */
const PLAYER_PATH = /^\/interactions\/([0-9a-f-]{36})\/?$/i;
const KEEP_MS = 60_000;

type Early = {
  id: string;
  at: number;
  me?: Promise<Me>;
  summary?: Promise<InteractionSummary>;
  media?: Promise<InteractionMedia>;
  /** the interaction's audio, loading since its link arrived (the player adopts it) */
  audio?: { key: string; element: HTMLAudioElement };
  /** the first screen segment, fetched and decoded (the player's segment cache takes it) */
  segment?: { key: string; events: Promise<ReplayEvent[]> };
};
let early: Early | null = null;

export function prefetchPlayer(location: Pick<Location, 'pathname' | 'search'>, loadPage: () => Promise<unknown>): void {
  const id = PLAYER_PATH.exec(location.pathname)?.[1]?.toLowerCase();
  if (!id) return;
  // Errors surface where the page makes the same request; here they only drop the early answer.
  loadPage().catch(() => {});
  const path = `/api/interactions/${encodeURIComponent(id)}`;
  const entry: Early = { id, at: performance.now() };
  // The session check answers whatever happens (a 401 is its answer): the auth provider takes it.
  entry.me = request<Me>('GET', '/api/auth/me', undefined, { expect401: true });
  entry.me.catch(() => {});
  const keep = <T>(kind: 'summary' | 'media', p: Promise<T>) => {
    p.catch(() => {
      if (early === entry) delete entry[kind];
    });
    return p;
  };
  entry.summary = keep('summary', request<InteractionSummary>('GET', path, undefined, { expect401: true }));
  entry.media = keep('media', request<InteractionMedia>('GET', `${path}/media`, undefined, { expect401: true }));
  early = entry;
  const initialMs = initialMsOf(location.search);
  entry.media.then(
    ({ manifest, urls }) => {
      const audioUrl = manifest.audio ? urls[manifest.audio.key] : undefined;
      if (manifest.audio && audioUrl && early === entry) {
        const element = document.createElement('audio');
        element.preload = 'auto';
        element.src = audioUrl;
        if (initialMs) element.currentTime = Math.min(initialMs, manifest.timelineMs) / 1000;
        entry.audio = { key: manifest.audio.key, element };
        // Not adopted within the minute (signed out, another page): stop its download.
        setTimeout(() => {
          if (entry.audio?.element !== element) return;
          delete entry.audio;
          element.removeAttribute('src');
          element.load();
        }, KEEP_MS);
      }
      const key = firstSegmentKey(manifest, Math.min(initialMs, manifest.timelineMs));
      const segment = manifest.screens.flatMap((s) => s.segments).find((s) => s.key === key);
      const url = key ? urls[key] : undefined;
      if (key && segment && url && early === entry) {
        // The player's own checks: the bytes must match the manifest's checksum.
        const events = fetch(url, { credentials: 'same-origin' }).then(async (r) => {
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
          return decodeSegment(await r.arrayBuffer(), segment, Date.parse(manifest.startedAt) || 0);
        });
        events.catch(() => {});
        entry.segment = { key, events };
      }
    },
    () => {},
  );
}

/** The session check started at boot, once (the auth provider's first check); undefined if none. */
export function takeEarlyMe(): Promise<Me> | undefined {
  const me = early?.me;
  if (early) delete early.me;
  return me;
}

/** The answer started at boot for this interaction, once; undefined if there is none (ask the server). */
export function takeEarly<K extends 'summary' | 'media'>(id: string, kind: K): Early[K] | undefined {
  if (!early || early.id !== id || performance.now() - early.at > KEEP_MS) return undefined;
  const p = early[kind];
  delete early[kind];
  return p;
}

/** The audio element started at boot for this audio file, once; undefined if there is none. */
export function takeEarlyAudio(key: string): HTMLAudioElement | undefined {
  const audio = early?.audio;
  if (!early || !audio || audio.key !== key || performance.now() - early.at > KEEP_MS) return undefined;
  delete early.audio;
  return audio.element;
}

/** The first screen segment fetched at boot, once: [key, its decoded events], or none. */
export function takeEarlySegments(): [string, Promise<ReplayEvent[]>][] {
  const segment = early?.segment;
  if (!early || !segment || performance.now() - early.at > KEEP_MS) return [];
  delete early.segment;
  return [[segment.key, segment.events]];
}

/** What the player adopts from the boot (see the Player's `boot` prop). */
export const playerBoot = { audio: takeEarlyAudio, segments: takeEarlySegments };
