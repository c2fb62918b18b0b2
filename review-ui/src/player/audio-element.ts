import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';

/**
 * The player's audio element, made and kept by the player rather than rendered by React, so that
 * one the app started loading at boot (player-prefetch.ts: the interaction's audio, as soon as
 * its link was known, while the page's code was still arriving) can be adopted with the data it
 * already has. It sits in `host` (with `data-testid="player-audio"`) while there is a source.
 */
export function usePlayerAudio(
  host: RefObject<HTMLElement | null>,
  url: string | undefined,
  muted: boolean,
  onError: () => void,
  adopt: () => HTMLAudioElement | undefined,
): HTMLAudioElement {
  const [audio] = useState(() => {
    const early = adopt();
    const el = early ?? document.createElement('audio');
    el.preload = 'auto';
    el.setAttribute('data-testid', 'player-audio');
    return el;
  });
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;

  // The source is set while committing (layout effect), as React set an attribute: the clock
  // effects that run after it see the element with its new source.
  useLayoutEffect(() => {
    const box = host.current;
    if (!url) {
      audio.removeAttribute('src');
      audio.remove();
      return;
    }
    // An adopted element already has this source and its data: setting it again would reload.
    if (audio.getAttribute('src') !== url) audio.src = url;
    if (box && audio.parentNode !== box) box.appendChild(audio);
  }, [audio, host, url]);

  useLayoutEffect(() => {
    audio.muted = muted;
  }, [audio, muted]);

  useEffect(() => {
    const listener = () => onErrorRef.current();
    audio.addEventListener('error', listener);
    return () => audio.removeEventListener('error', listener);
  }, [audio]);

  // Gone with the player: stop downloading.
  useEffect(
    () => () => {
      audio.pause();
      audio.removeAttribute('src');
      audio.load();
      audio.remove();
    },
    [audio],
  );
  return audio;
}
