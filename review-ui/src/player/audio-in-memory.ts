import { useEffect, useRef, useState } from 'react';

/** Larger files stay streamed: a reviewer's tab should not hold hours of audio. */
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * The interaction's audio file downloaded whole, in the background, as a Blob URL. The finalized
 * audio is Ogg/Opus, which has no seek index: every seek of a streamed file makes the browser
 * bisect it with range requests (bench/player: p95 321 ms), while a seek in memory needs none.
 * Playback starts from the stream meanwhile. Where the download cannot be made (no CORS on the
 * object store, too big, offline) this stays undefined and the player keeps streaming.
 *
 * `key` names the file (its links are renewed while the player is open; the file stays the same).
 * Nothing is fetched until `enabled`.
 */
export function useAudioInMemory(key: string | undefined, url: string | undefined, enabled = true): string | undefined {
  const [blobUrl, setBlobUrl] = useState<string>();
  const urlRef = useRef(url);
  urlRef.current = url;
  const hasUrl = Boolean(url);

  useEffect(() => {
    const from = urlRef.current;
    if (!enabled || !key || !from || typeof URL.createObjectURL !== 'function') return;
    const abort = new AbortController();
    let made: string | undefined;
    void (async () => {
      try {
        const res = await fetch(from, { signal: abort.signal, priority: 'low' } as RequestInit);
        if (!res.ok) return;
        if (Number(res.headers.get('content-length') ?? 0) > MAX_BYTES) return abort.abort();
        const blob = await res.blob();
        if (abort.signal.aborted || blob.size === 0 || blob.size > MAX_BYTES) return;
        made = URL.createObjectURL(blob);
        setBlobUrl(made);
      } catch {
        /* streamed instead */
      }
    })();
    return () => {
      abort.abort();
      if (made) URL.revokeObjectURL(made);
      setBlobUrl(undefined);
    };
  }, [key, hasUrl, enabled]);

  return blobUrl;
}
