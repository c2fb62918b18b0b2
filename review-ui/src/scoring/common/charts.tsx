import { useEffect, useId, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import './charts.css';

/**
 * Small SVG charts for numbers people compare (calibration spread and agreement, evaluator
 * history, fairness counts). No chart library: a few hundred lines cover what the scoring pages
 * need and keep the bundle small. Each chart is an `img` with a title and a description for
 * screen readers, prints its numbers on the marks, and offers the same data as a table.
 * Charts are drawn at the pixel width of their container (not scaled from a viewBox) so text
 * stays at the page's size on any screen.
 */

export type ChartTone = 'accent' | 'navy' | 'muted' | 'warning' | 'danger' | 'success';
const SERIES_TONES: ChartTone[] = ['accent', 'navy', 'warning', 'success', 'danger', 'muted'];
/** Extra line colours after the tones, for histories with many evaluators. */
const EXTRA = ['#7c4dcc', '#c2417a', '#2f7d32', '#8a6d1d'];

function useWidth(fallback = 640) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(280, Math.floor(el.getBoundingClientRect().width)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { ref, width };
}

/** Round numbers for an axis from 0 to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const top = Math.ceil(max / step) * step;
  const out: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) out.push(Number(v.toFixed(6)));
  return out;
}

const fmtDefault = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

function ChartFrame({
  title,
  description,
  legend,
  table,
  children,
  testId,
}: {
  title: string;
  description: string;
  legend?: ReactNode;
  table: ReactNode;
  children: (width: number, ids: { title: string; desc: string }) => ReactNode;
  testId?: string;
}) {
  const { ref, width } = useWidth();
  const id = useId();
  const ids = { title: `${id}-t`, desc: `${id}-d` };
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-caption">
        <span className="chart-title">{title}</span>
        {legend}
      </figcaption>
      <div ref={ref} className="chart-canvas">
        {children(width, ids)}
      </div>
      <details className="chart-table">
        <summary>Show the numbers as a table</summary>
        {table}
      </details>
      <span className="visually-hidden">{description}</span>
    </figure>
  );
}

function Svg({ width, height, ids, title, description, children }: { width: number; height: number; ids: { title: string; desc: string }; title: string; description: string; children: ReactNode }) {
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={ids.title} aria-describedby={ids.desc} className="chart-svg">
      <title id={ids.title}>{title}</title>
      <desc id={ids.desc}>{description}</desc>
      {children}
    </svg>
  );
}

export function Legend({ items }: { items: { label: string; tone?: ChartTone; color?: string; shape?: 'box' | 'line' | 'band' }[] }) {
  return (
    <span className="chart-legend">
      {items.map((i) => (
        <span key={i.label} className="chart-legend-item">
          <span className={`chart-swatch chart-swatch-${i.shape ?? 'box'} ${i.tone ? `tone-${i.tone}` : ''}`} style={i.color ? { background: i.color } : undefined} aria-hidden="true" />
          {i.label}
        </span>
      ))}
    </span>
  );
}

/* ------------------------------------------------------------------ horizontal bars */

export type BarSeries = { key: string; label: string; tone?: ChartTone };
export type BarDatum = {
  id: string;
  label: string;
  values: Record<string, number | null>;
  /** marks the row (e.g. an agent outside the target band) */
  flag?: { tone: 'warning' | 'danger'; text: string };
};

/**
 * Horizontal bars, one group per row (an agent, an evaluator, a question), one bar per series,
 * the value printed at the end of each bar. An optional target draws a line and a ±band.
 */
export function BarChart({
  title,
  description,
  series,
  data,
  max,
  target,
  format = fmtDefault,
  unit = '',
  labelWidth = 170,
  testId,
}: {
  title: string;
  description: string;
  series: BarSeries[];
  data: BarDatum[];
  max?: number;
  target?: { value: number; tolerance: number; label: string };
  format?: (v: number) => string;
  unit?: string;
  labelWidth?: number;
  testId?: string;
}) {
  const top = Math.max(max ?? 0, target ? target.value + target.tolerance : 0, ...data.flatMap((d) => series.map((s) => d.values[s.key] ?? 0)), 1);
  const ticks = max !== undefined ? niceTicks(max).filter((t) => t <= max) : niceTicks(top);
  const domain = max ?? ticks[ticks.length - 1]!;
  const barH = series.length > 1 ? 12 : 16;
  const rowH = series.length * barH + (series.length - 1) * 2 + 14;
  const axisH = 22;
  const legend = series.length > 1 || target ? (
    <Legend items={[...series.map((s, i) => ({ label: s.label, tone: s.tone ?? SERIES_TONES[i] })), ...(target ? [{ label: target.label, tone: 'success' as const, shape: 'band' as const }] : [])]} />
  ) : undefined;
  const table = (
    <table className="table chart-data">
      <thead>
        <tr>
          <th scope="col">Name</th>
          {series.map((s) => (
            <th scope="col" key={s.key}>
              {s.label}
            </th>
          ))}
          {data.some((d) => d.flag) ? <th scope="col">Note</th> : null}
        </tr>
      </thead>
      <tbody>
        {data.map((d) => (
          <tr key={d.id}>
            <th scope="row">{d.label}</th>
            {series.map((s) => (
              <td key={s.key}>{d.values[s.key] === null || d.values[s.key] === undefined ? '—' : `${format(d.values[s.key]!)}${unit}`}</td>
            ))}
            {data.some((x) => x.flag) ? <td>{d.flag?.text ?? ''}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <ChartFrame title={title} description={description} legend={legend} table={table} testId={testId}>
      {(width, ids) => {
        const plotX = Math.min(labelWidth, Math.round(width * 0.38));
        const plotW = Math.max(60, width - plotX - 56);
        const x = (v: number) => plotX + (Math.max(0, Math.min(v, domain)) / domain) * plotW;
        const height = data.length * rowH + axisH + 6;
        return (
          <Svg width={width} height={height} ids={ids} title={title} description={description}>
            {/* Row highlights first, so the target band, grid and bars stay visible on them. */}
            {data.map((d, i) => (d.flag ? <rect key={d.id} x={0} y={i * rowH + 1} width={width} height={rowH - 2} rx={4} className={`chart-flag-bg flag-${d.flag.tone}`} /> : null))}
            {target ? (
              <g className="chart-target">
                <rect x={x(Math.max(0, target.value - target.tolerance))} y={0} width={x(target.value + target.tolerance) - x(Math.max(0, target.value - target.tolerance))} height={data.length * rowH} className="chart-band" />
                <line x1={x(target.value)} x2={x(target.value)} y1={0} y2={data.length * rowH} className="chart-target-line" />
              </g>
            ) : null}
            {ticks.map((t) => (
              <g key={t}>
                <line x1={x(t)} x2={x(t)} y1={0} y2={data.length * rowH} className="chart-grid" />
                <text x={x(t)} y={data.length * rowH + 16} textAnchor="middle" className="chart-tick">
                  {format(t)}
                  {unit}
                </text>
              </g>
            ))}
            {data.map((d, i) => {
              const y0 = i * rowH + 7;
              return (
                <g key={d.id} className={d.flag ? `chart-row-flag flag-${d.flag.tone}` : undefined} data-row={d.label}>
                  <text x={plotX - 10} y={y0 + (rowH - 14) / 2 + 4} textAnchor="end" className={`chart-label ${d.flag ? 'chart-label-flag' : ''}`}>
                    {truncate(d.label, Math.floor((plotX - 14) / 7))}
                  </text>
                  {series.map((s, k) => {
                    const v = d.values[s.key];
                    const y = y0 + k * (barH + 2);
                    const tone = s.tone ?? SERIES_TONES[k];
                    return (
                      <g key={s.key}>
                        {v !== null && v !== undefined ? (
                          <>
                            <rect x={plotX} y={y} width={Math.max(v > 0 ? 2 : 0, x(v) - plotX)} height={barH} rx={2} className={`chart-bar tone-${tone}`}>
                              <title>{`${d.label}, ${s.label}: ${format(v)}${unit}`}</title>
                            </rect>
                            <text x={x(v) + 5} y={y + barH / 2 + 4} className="chart-value" data-value={v}>
                              {format(v)}
                              {unit}
                            </text>
                          </>
                        ) : (
                          <text x={plotX + 4} y={y + barH / 2 + 4} className="chart-value chart-none">
                            no data
                          </text>
                        )}
                      </g>
                    );
                  })}
                </g>
              );
            })}
          </Svg>
        );
      }}
    </ChartFrame>
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s;
}

/* ------------------------------------------------------------------ dot plot (spread) */

/**
 * One row per person on a shared 0–100 axis: where each total fell, the range between the
 * lowest and highest, the mean, and the reference when there is one. Shows a calibration's spread
 * of totals at a glance.
 */
export function DotPlot({
  title,
  description,
  points,
  reference,
  mean,
  domain = [0, 100],
  unit = '%',
  testId,
}: {
  title: string;
  description: string;
  points: { id: string; label: string; value: number | null; flag?: string }[];
  reference?: { value: number; label: string } | null;
  mean?: number | null;
  domain?: [number, number];
  unit?: string;
  testId?: string;
}) {
  const rowH = 30;
  const axisH = 24;
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const table = (
    <table className="table chart-data">
      <thead>
        <tr>
          <th scope="col">Evaluator</th>
          <th scope="col">Total</th>
          {reference ? <th scope="col">Minus reference</th> : null}
        </tr>
      </thead>
      <tbody>
        {points.map((p) => (
          <tr key={p.id}>
            <th scope="row">{p.label}</th>
            <td>{p.value === null ? '—' : `${fmtDefault(p.value)}${unit}`}</td>
            {reference ? <td>{p.value === null ? '—' : signed(p.value - reference.value)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
  const legend = (
    <Legend
      items={[
        { label: 'Evaluator total', tone: 'accent' },
        ...(values.length > 1 ? [{ label: 'Range', tone: 'muted' as const, shape: 'band' as const }] : []),
        ...(mean !== undefined && mean !== null ? [{ label: 'Mean', tone: 'navy' as const, shape: 'line' as const }] : []),
        ...(reference ? [{ label: reference.label, tone: 'warning' as const, shape: 'line' as const }] : []),
      ]}
    />
  );
  return (
    <ChartFrame title={title} description={description} legend={legend} table={table} testId={testId}>
      {(width, ids) => {
        const plotX = Math.min(170, Math.round(width * 0.32));
        const plotW = Math.max(60, width - plotX - 24);
        const x = (v: number) => plotX + ((Math.max(domain[0], Math.min(v, domain[1])) - domain[0]) / (domain[1] - domain[0])) * plotW;
        const h = points.length * rowH;
        const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => domain[0] + f * (domain[1] - domain[0]));
        return (
          <Svg width={width} height={h + axisH} ids={ids} title={title} description={description}>
            {ticks.map((t) => (
              <g key={t}>
                <line x1={x(t)} x2={x(t)} y1={0} y2={h} className="chart-grid" />
                <text x={x(t)} y={h + 16} textAnchor="middle" className="chart-tick">
                  {fmtDefault(t)}
                  {unit}
                </text>
              </g>
            ))}
            {values.length > 1 ? <rect x={x(Math.min(...values))} y={2} width={Math.max(1, x(Math.max(...values)) - x(Math.min(...values)))} height={h - 4} className="chart-range" /> : null}
            {mean !== undefined && mean !== null ? <line x1={x(mean)} x2={x(mean)} y1={0} y2={h} className="chart-mean" /> : null}
            {reference ? <line x1={x(reference.value)} x2={x(reference.value)} y1={0} y2={h} className="chart-reference" /> : null}
            {points.map((p, i) => {
              const cy = i * rowH + rowH / 2;
              return (
                <g key={p.id} data-row={p.label}>
                  <text x={plotX - 10} y={cy + 4} textAnchor="end" className="chart-label">
                    {truncate(p.label, Math.floor((plotX - 14) / 7))}
                  </text>
                  <line x1={plotX} x2={plotX + plotW} y1={cy} y2={cy} className="chart-lane" />
                  {p.value !== null ? (
                    <>
                      <circle cx={x(p.value)} cy={cy} r={7} className={`chart-dot ${p.flag ? 'chart-dot-flag' : ''}`}>
                        <title>{`${p.label}: ${fmtDefault(p.value)}${unit}`}</title>
                      </circle>
                      <text x={x(p.value) + (x(p.value) > plotX + plotW - 40 ? -12 : 12)} y={cy + 4} textAnchor={x(p.value) > plotX + plotW - 40 ? 'end' : 'start'} className="chart-value" data-value={p.value}>
                        {fmtDefault(p.value)}
                        {unit}
                      </text>
                    </>
                  ) : (
                    <text x={plotX + 4} y={cy + 4} className="chart-value chart-none">
                      no score
                    </text>
                  )}
                </g>
              );
            })}
          </Svg>
        );
      }}
    </ChartFrame>
  );
}

export const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmtDefault(Math.abs(Math.round(v * 10) / 10))}`;

/* ------------------------------------------------------------------ lines over time */

export type LinePoint = { at: string; value: number | null; label: string };
export type LineSeries = { id: string; label: string; points: LinePoint[] };

/**
 * Values over time, one line per person (e.g. each evaluator's distance to the reference over
 * calibration sessions). x is real time, so gaps between sessions show as gaps.
 */
export function LineChart({
  title,
  description,
  series,
  yLabel,
  yMax,
  format = fmtDefault,
  testId,
}: {
  title: string;
  description: string;
  series: LineSeries[];
  yLabel: string;
  yMax?: number;
  format?: (v: number) => string;
  testId?: string;
}) {
  const colorOf = (i: number) => (i < SERIES_TONES.length - 1 ? undefined : EXTRA[(i - SERIES_TONES.length + 1) % EXTRA.length]);
  const toneOf = (i: number) => (i < SERIES_TONES.length - 1 ? SERIES_TONES[i] : undefined);
  const all = series.flatMap((s) => s.points).filter((p) => p.value !== null);
  const times = all.map((p) => Date.parse(p.at)).filter((t) => Number.isFinite(t));
  const ticks = niceTicks(Math.max(yMax ?? 0, ...all.map((p) => p.value!), 1), 4);
  const top = yMax ?? ticks[ticks.length - 1]!;
  const legend = <Legend items={series.map((s, i) => ({ label: s.label, tone: toneOf(i), color: colorOf(i), shape: 'line' as const }))} />;
  const table = (
    <table className="table chart-data">
      <thead>
        <tr>
          <th scope="col">Who</th>
          <th scope="col">Session</th>
          <th scope="col">When</th>
          <th scope="col">{yLabel}</th>
        </tr>
      </thead>
      <tbody>
        {series.flatMap((s) =>
          s.points.map((p, k) => (
            <tr key={`${s.id}-${k}`}>
              <th scope="row">{s.label}</th>
              <td>{p.label}</td>
              <td>{new Date(p.at).toLocaleDateString()}</td>
              <td>{p.value === null ? '—' : format(p.value)}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
  return (
    <ChartFrame title={title} description={description} legend={legend} table={table} testId={testId}>
      {(width, ids) => {
        const left = 46;
        const right = 24;
        const h = 200;
        const bottom = 26;
        const t0 = times.length ? Math.min(...times) : 0;
        const t1 = times.length ? Math.max(...times) : 1;
        const x = (t: number) => (t1 === t0 ? left + (width - left - right) / 2 : left + ((t - t0) / (t1 - t0)) * (width - left - right));
        const y = (v: number) => 8 + (1 - Math.min(v, top) / top) * (h - 8);
        const dates = [...new Set(times)].sort((a, b) => a - b);
        const shownDates = dates.length <= 6 ? dates : dates.filter((_, i) => i % Math.ceil(dates.length / 6) === 0);
        return (
          <Svg width={width} height={h + bottom} ids={ids} title={title} description={description}>
            {ticks.map((t) => (
              <g key={t}>
                <line x1={left} x2={width - right} y1={y(t)} y2={y(t)} className="chart-grid" />
                <text x={left - 8} y={y(t) + 4} textAnchor="end" className="chart-tick">
                  {format(t)}
                </text>
              </g>
            ))}
            {shownDates.map((t) => (
              <text key={t} x={x(t)} y={h + 18} textAnchor="middle" className="chart-tick">
                {new Date(t).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}
              </text>
            ))}
            {series.map((s, i) => {
              const pts = s.points.filter((p) => p.value !== null).map((p) => ({ ...p, t: Date.parse(p.at) }));
              const tone = toneOf(i);
              const color = colorOf(i);
              return (
                <g key={s.id} className={tone ? `tone-${tone}` : undefined} style={color ? { color } : undefined} data-series={s.label}>
                  <polyline points={pts.map((p) => `${x(p.t)},${y(p.value!)}`).join(' ')} className="chart-line" />
                  {pts.map((p, k) => (
                    <circle key={k} cx={x(p.t)} cy={y(p.value!)} r={4.5} className="chart-point">
                      <title>{`${s.label}, ${p.label}: ${format(p.value!)}`}</title>
                    </circle>
                  ))}
                </g>
              );
            })}
          </Svg>
        );
      }}
    </ChartFrame>
  );
}
