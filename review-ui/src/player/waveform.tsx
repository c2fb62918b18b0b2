import { useEffect, useRef } from 'react';

/**
 * The waveform from the precomputed peaks (Int8 max-abs per bucket, 0..127, channels one after
 * another): one lane per channel, agent above customer. Drawn once per size; the played part is
 * the same drawing in a stronger colour, clipped by the playhead in CSS, so playback redraws nothing.
 */
export type Peaks = { data: Int8Array; channels: number; buckets: number };

export function parsePeaks(buffer: ArrayBuffer, channels: number, buckets: number): Peaks {
  return { data: new Int8Array(buffer), channels, buckets };
}

function draw(canvas: HTMLCanvasElement, peaks: Peaks, channel: number, colour: string) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = colour;
  const offset = channel * peaks.buckets;
  const mid = height / 2;
  const bar = Math.max(1, Math.round(ratio));
  for (let x = 0; x < width; x += bar) {
    const from = Math.floor((x / width) * peaks.buckets);
    const to = Math.max(from + 1, Math.floor(((x + bar) / width) * peaks.buckets));
    let max = 0;
    for (let i = from; i < to && i < peaks.buckets; i++) max = Math.max(max, Math.abs(peaks.data[offset + i] ?? 0));
    const h = Math.max(bar, (max / 127) * (height - 2));
    ctx.fillRect(x, mid - h / 2, bar, h);
  }
}

export function WaveLane({ peaks, channel, colour, label }: { peaks: Peaks; channel: number; colour: string; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const redraw = () => draw(canvas, peaks, channel, colour);
    redraw();
    const observer = new ResizeObserver(redraw);
    observer.observe(canvas);
    return () => observer.disconnect();
  }, [peaks, channel, colour]);
  return <canvas ref={ref} className="wave-canvas" aria-hidden="true" data-lane={label} />;
}
