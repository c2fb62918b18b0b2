import { readFile } from 'node:fs/promises';

/** The parts of a CDP Profiler.Profile this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  /** sampled main-thread ms of the whole run */
  totalMs: number;
  /**
   * Self time grouped by owner: the nearest frame on the stack that has a script URL (so native
   * work such as JSON.stringify, querySelector or IndexedDB calls counts for the script that
   * made it), named by its original source (bundle frames mapped through the source map).
   */
  byOwner: { name: string; ms: number }[];
  /** the recorder bundle's frames, by original function, self time plus native callees */
  topRecorderFunctions: { name: string; ms: number }[];
  /** the same inside the page's long tasks (clock-aligned runs only): what to cut first */
  topRecorderFunctionsInLong: { name: string; ms: number }[];
  /** the long tasks the recorder spent over 5 ms in (clock-aligned): when, how long, its top functions */
  recorderLongTasks: { startMs: number; durationMs: number; recorderMs: number; top: string[] }[];
  /**
   * The recorder's time by what it was doing, from the outermost recognised frame on the stack:
   * rrweb's mutation handling, its full snapshots, the chunk encoding, the outbox,
   * socket.io, the badge.
   */
  recorderByPhase: { name: string; ms: number; inLongMs: number }[];
  /**
   * Busy periods (runs of non-idle samples) longer than 50 ms, the profile's view of long tasks:
   * their blocking time, and what it would be without the recorder's samples in them.
   */
  busyPeriods: number;
  /** whether long tasks from the page (aligned by clock marks) or busy periods were used */
  longTaskSource: string;
  /** the second clock mark's error after aligning on the first, ms */
  clockCheckMs: number | null;
  blockingMs: number;
  blockingWithoutRecorderMs: number;
  /** recorder bundle total (owner = bundle) and the engine's own buckets */
  recorderMs: number;
  gcMs: number;
  programMs: number;
  idleMs: number;
}

interface Mapper {
  originalPositionFor(p: { line: number; column: number }): { source: string | null; line: number | null; name: string | null };
}

/** Short names for the bundle's sources: rrweb's parts, socket.io's, ours. */
export function sourceGroup(source: string): string {
  const s = source.replace(/\\/g, '/');
  const nm = s.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = s.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    const file = rest.at(-1)!;
    if (pkg === 'rrweb' || pkg.startsWith('@rrweb') || pkg === 'rrweb-snapshot') return `${pkg} ${file.replace(/\.[cm]?js$/, '')}`;
    return pkg;
  }
  const m = /(?:^|\/)(protocol)\/(?:src|dist)\/(.+)$/.exec(s);
  if (m) return `protocol/${m[2]}`;
  // the bundle's own sources are named relative to recorder-agent/bundle: ../src/<file>
  const own = /(?:^|\/)src\/(.+)$/.exec(s);
  if (own) return `recorder-agent/src/${own[1]}`;
  return s;
}

/**
 * Attributes a CPU profile of the page: main-thread time by owning script, the recorder bundle's
 * part mapped to its original sources (rrweb's record/mutation/snapshot, socket.io, the recorder).
 */
export async function attributeProfile(
  profile: CpuProfile,
  bundleUrl: string,
  mapFile: string,
  clock?: { marks: number[]; longTasks: [number, number][] },
): Promise<ProfileSummary> {
  const { SourceMapConsumer } = (await import('source-map-js')) as unknown as { SourceMapConsumer: new (raw: unknown) => Mapper };
  const mapper = new SourceMapConsumer(JSON.parse(await readFile(mapFile, 'utf8')));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const mapped = new Map<number, { owner: string; fn: string } | null>();
  const describe = (id: number): { owner: string; fn: string } | null => {
    if (mapped.has(id)) return mapped.get(id)!;
    const f = byId.get(id)!.callFrame;
    let out: { owner: string; fn: string } | null = null;
    if (f.url === bundleUrl) {
      const pos = mapper.originalPositionFor({ line: f.lineNumber + 1, column: f.columnNumber });
      const group = pos.source ? sourceGroup(pos.source) : 'recorder bundle (unmapped)';
      out = { owner: `recorder: ${group}`, fn: `${group} ${pos.name ?? f.functionName ?? '(anonymous)'}:${pos.line ?? '?'}` };
    } else if (f.url) {
      const file = f.url.replace(/^https?:\/\/[^/]+/, '');
      out = { owner: `page: ${file}`, fn: `${file} ${f.functionName || '(anonymous)'}` };
    }
    mapped.set(id, out);
    return out;
  };
  /** nearest frame with a URL, walking up from the sampled frame */
  const ownerCache = new Map<number, { owner: string; fn: string }>();
  const ownerOf = (id: number): { owner: string; fn: string } => {
    const hit = ownerCache.get(id);
    if (hit) return hit;
    const name = byId.get(id)!.callFrame.functionName;
    let out: { owner: string; fn: string };
    if (name === '(garbage collector)' || name === '(program)' || name === '(idle)' || name === '(root)') out = { owner: name, fn: name };
    else {
      let p: number | undefined = id;
      let found: { owner: string; fn: string } | null = null;
      while (p !== undefined && !(found = describe(p))) p = parent.get(p);
      out = found ?? { owner: `native: ${name || '(anonymous)'}`, fn: name };
    }
    ownerCache.set(id, out);
    return out;
  };

  // Phases, by the frames on the stack (original names and rrweb's source lines): a full snapshot
  // anywhere on the stack wins (rrweb's checkout runs inside the emit of any event), then the
  // chunk encoding, then rrweb's MutationBuffer (mutation.ts), then the owning file.
  const frameTag = (id: number): string | null => {
    const d = describe(id);
    if (!d || !d.owner.startsWith('recorder: ')) return null;
    const m = /^(.*?) ?([\w$]*):(\d+|\?)$/.exec(d.fn);
    const name = m?.[2] ?? '';
    const line = Number(m?.[3]);
    if (/^(takeFullSnapshot|snapshot)\$?\d*$/.test(name) || (d.owner === 'recorder: rrweb rrweb' && line >= 12992 && line < 13060)) return 'rrweb full snapshot';
    if (/^(cutScreen|encodeIdle|take)$/.test(name)) return 'chunk encoding (JSON in idle time; at the cut join + TextEncoder)';
    if (d.owner === 'recorder: rrweb rrweb' && line >= 10820 && line < 11300) return 'rrweb mutations (MutationBuffer)';
    return null;
  };
  const RANK = ['rrweb full snapshot', 'chunk encoding (JSON in idle time; at the cut join + TextEncoder)', 'rrweb mutations (MutationBuffer)'];
  const phaseMemo = new Map<number, string | null>();
  const phaseOf = (id: number): string | null => {
    if (phaseMemo.has(id)) return phaseMemo.get(id)!;
    const p = parent.get(id);
    const up = p !== undefined ? phaseOf(p) : null;
    const own = frameTag(id);
    let out = up;
    if (own && (up === null || !RANK.includes(up) || RANK.indexOf(own) < RANK.indexOf(up))) out = own;
    if (out === null) {
      const d = describe(id);
      if (d && d.owner.startsWith('recorder: ')) {
        if (/outbox\.ts$/.test(d.owner)) out = 'outbox (IndexedDB)';
        else if (/engine\.io|socket\.io/.test(d.owner)) out = 'socket.io';
        else if (/badge\.ts$/.test(d.owner)) out = 'badge';
        else if (d.owner === 'recorder: rrweb rrweb') out = 'rrweb, other (observers, input, scroll)';
      }
    }
    phaseMemo.set(id, out);
    return out;
  };
  const isRecorder = (id: number) => ownerOf(id).owner.startsWith('recorder: ') || phaseOf(id) !== null;

  const owners = new Map<string, number>();
  const phases = new Map<string, { ms: number; inLongMs: number }>();
  const fns = new Map<string, number>();
  const fnsInLong = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Sample times (µs, the profiler's clock); a sample stands for the time to the next one.
  const times: number[] = [];
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) times.push((t += deltas[i] ?? 0));

  // Clock alignment: the page ran __benchClockMark (a busy loop) at performance.now() = marks[k];
  // the first sample inside each gives the profiler-clock offset.
  let offsetMs: number | null = null;
  let clockCheckMs: number | null = null;
  if (clock && clock.marks.length) {
    const markSamples = times.filter((_, i) => byId.get(samples[i]!)!.callFrame.functionName === '__benchClockMark');
    const starts: number[] = [];
    for (const ts of markSamples) if (!starts.length || ts - starts.at(-1)! > 1_000_000) starts.push(ts);
    if (starts.length === clock.marks.length) {
      offsetMs = starts[0]! / 1000 - clock.marks[0]!;
      clockCheckMs = clock.marks.length > 1 ? starts.at(-1)! / 1000 - offsetMs - clock.marks.at(-1)! : null;
    }
  }
  const tasks = offsetMs !== null ? [...clock!.longTasks].sort((a, b) => a[0] - b[0]) : [];
  const perTask = tasks.map(() => ({ recorderMs: 0, phases: new Map<string, number>(), fns: new Map<string, number>() }));

  // Without a clock: busy periods (runs of non-idle samples) stand in for long tasks.
  let periodMs = 0;
  let periodRecorderMs = 0;
  let periodPhases = new Map<string, number>();
  let busyPeriods = 0;
  let blockingMs = 0;
  let blockingWithoutRecorderMs = 0;
  const closePeriod = () => {
    if (offsetMs === null && periodMs > 50) {
      busyPeriods++;
      blockingMs += periodMs - 50;
      blockingWithoutRecorderMs += Math.max(0, periodMs - periodRecorderMs - 50);
      for (const [k, v] of periodPhases) phases.get(k)!.inLongMs += v;
    }
    periodMs = 0;
    periodRecorderMs = 0;
    periodPhases = new Map();
  };
  let total = 0;
  let task = 0;
  for (let i = 0; i < samples.length; i++) {
    const ms = (deltas[i + 1] ?? 0) / 1000;
    const id = samples[i]!;
    const o = ownerOf(id);
    owners.set(o.owner, (owners.get(o.owner) ?? 0) + ms);
    if (o.owner.startsWith('recorder: ')) fns.set(o.fn, (fns.get(o.fn) ?? 0) + ms);
    if (o.owner === '(idle)') {
      closePeriod();
      continue;
    }
    total += ms;
    periodMs += ms;
    if (!isRecorder(id)) continue;
    const ph = phaseOf(id) ?? 'recorder, other';
    if (!phases.has(ph)) phases.set(ph, { ms: 0, inLongMs: 0 });
    phases.get(ph)!.ms += ms;
    periodRecorderMs += ms;
    periodPhases.set(ph, (periodPhases.get(ph) ?? 0) + ms);
    if (offsetMs !== null) {
      const at = times[i]! / 1000 - offsetMs;
      while (task < tasks.length && tasks[task]![0] + tasks[task]![1] < at) task++;
      if (task < tasks.length && tasks[task]![0] <= at) {
        perTask[task]!.recorderMs += ms;
        perTask[task]!.phases.set(ph, (perTask[task]!.phases.get(ph) ?? 0) + ms);
        phases.get(ph)!.inLongMs += ms;
        fnsInLong.set(o.fn, (fnsInLong.get(o.fn) ?? 0) + ms);
        perTask[task]!.fns.set(o.fn, (perTask[task]!.fns.get(o.fn) ?? 0) + ms);
      }
    }
  }
  closePeriod();
  if (offsetMs !== null) {
    busyPeriods = tasks.length;
    tasks.forEach(([, d], k) => {
      blockingMs += Math.max(0, d - 50);
      blockingWithoutRecorderMs += Math.max(0, d - Math.min(d, perTask[k]!.recorderMs) - 50);
    });
  }
  const sorted = (m: Map<string, number>) => [...m].map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10 })).sort((a, b) => b.ms - a.ms);
  const byOwner = sorted(owners);
  const sum = (pred: (n: string) => boolean) => Math.round(byOwner.filter((o) => pred(o.name)).reduce((a, o) => a + o.ms, 0) * 10) / 10;
  return {
    totalMs: Math.round(total),
    byOwner: byOwner.filter((o) => o.ms >= 1),
    topRecorderFunctions: sorted(fns).slice(0, 25),
    topRecorderFunctionsInLong: sorted(fnsInLong).slice(0, 25),
    recorderLongTasks: tasks
      .map(([start, d], k) => ({
        startMs: Math.round(start),
        durationMs: Math.round(d),
        recorderMs: Math.round(perTask[k]!.recorderMs * 10) / 10,
        top: sorted(perTask[k]!.fns)
          .slice(0, 4)
          .map((f) => `${f.name} ${f.ms}`),
      }))
      .filter((t) => t.recorderMs > 5),
    recorderByPhase: [...phases].map(([name, v]) => ({ name, ms: Math.round(v.ms * 10) / 10, inLongMs: Math.round(v.inLongMs * 10) / 10 })).sort((a, b) => b.ms - a.ms),
    busyPeriods,
    longTaskSource: offsetMs !== null ? 'long tasks (clock-aligned)' : 'busy periods (no clock marks)',
    clockCheckMs: clockCheckMs === null ? null : Math.round(clockCheckMs * 10) / 10,
    blockingMs: Math.round(blockingMs),
    blockingWithoutRecorderMs: Math.round(blockingWithoutRecorderMs),
    recorderMs: sum((n) => n.startsWith('recorder: ')),
    gcMs: sum((n) => n === '(garbage collector)'),
    programMs: sum((n) => n === '(program)'),
    idleMs: sum((n) => n === '(idle)'),
  };
}
