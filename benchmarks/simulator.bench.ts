/**
 * The simulator (issue 6 targets): the peak day — 100,000 order lines, 150 pickers, 16 hours, optimal routing,
 * congestion on — simulated on one core in ≤ 30 s (≥ 1,900x real time), with events/s; the same model on the
 * array-scanned event list (the approach of common JS simulation libraries) as the peer, and the ratio; the two event
 * lists alone on the classic hold model. Run: `npm run bench -- simulator`. `SIM_BENCH_SLICE_HOURS=H` compares the two
 * lists on the first H hours instead of the full day (the bench does so on 2 hours when the heap run takes over 60 s).
 * Writes bench/results/simulator.json.
 */
import path from 'node:path';
import { createRng, randomExponential } from '../server/twin/rng.ts';
import { ArrayEventList } from '../simulations/engine/array-event-list.ts';
import type { EventList, EventListKind } from '../simulations/engine/event-list.ts';
import { EventQueue } from '../simulations/engine/event-queue.ts';
import { measureLoad } from '../simulations/load/measure-load.ts';
import { loadScenarioFile } from '../simulations/io/scenario-files.ts';
import type { SimulationResult } from '../simulations/model/result.ts';
import { runScenario, type ResolvedScenario } from '../simulations/model/run-scenario.ts';
import { benchRoot, printTable, writeResults, type Row } from './bench-util.ts';

const TARGET_SECONDS = 30;
const HOUR_MS = 3_600_000;
const sliceEnv = process.env['SIM_BENCH_SLICE_HOURS'];
const sliceArgHours = sliceEnv === undefined || sliceEnv === '' ? null : Number(sliceEnv);
if (sliceArgHours !== null && !(Number.isInteger(sliceArgHours) && sliceArgHours > 0)) {
  throw new Error(`SIM_BENCH_SLICE_HOURS needs whole hours > 0, got '${sliceEnv}'`);
}
/** Hours both lists run on when the full day would be too slow for the array peer. */
const AUTO_SLICE_HOURS = 2;
/** Runs of each list in the peer comparison (the best wall counts). */
const PEER_ROUNDS = 2;

const loadStarted = performance.now();
const peak = await loadScenarioFile(path.join(benchRoot, 'data/scenarios/peak-day.json'));
const loadMs = performance.now() - loadStarted;

interface Measured {
  readonly result: SimulationResult;
  readonly wallMs: number;
}

function measure(input: ResolvedScenario, eventList: EventListKind): Measured {
  const started = performance.now();
  const result = runScenario(input, { eventList });
  return { result, wallMs: performance.now() - started };
}

function row(label: string, eventList: EventListKind, hours: number, m: Measured): Row {
  const seconds = m.wallMs / 1000;
  return {
    run: label,
    eventList,
    virtualHours: hours,
    wallS: seconds,
    events: m.result.events,
    eventsPerS: Math.round(m.result.events / seconds),
    xRealTime: Math.round((hours * HOUR_MS) / m.wallMs),
  };
}

/** Hourly-profile weight of the first `hours` whole hours of a run starting at `startAt` (on the hour). */
function profileWeight(profile: readonly number[], startAt: string, hours: number): number {
  const first = new Date(startAt).getUTCHours();
  let sum = 0;
  for (let h = 0; h < hours; h++) sum += profile[(first + h) % 24] ?? 0;
  return sum;
}

/** The same scenario cut to its first `hours`, with the lines of those hours, so the arrival rate is the peak day's. */
function slice(input: ResolvedScenario, hours: number): ResolvedScenario {
  const s = input.scenario;
  const share = profileWeight(s.demand.hourlyProfile, s.startAt, hours) / profileWeight(s.demand.hourlyProfile, s.startAt, s.durationHours);
  const scenario = { ...s, durationHours: hours, demand: { ...s.demand, lines: Math.round(s.demand.lines * share) } };
  return { ...input, scenario };
}

// Full peak day on the heap: the target.
const heap = measure(peak, 'heap');
const rows: Row[] = [row('peak day, first run (cold)', 'heap', peak.scenario.durationHours, heap)];
const k = heap.result.kpis;
const kpis: Row[] = [
  {
    ordersArrived: k.ordersArrived,
    linesPicked: k.linesPicked,
    ordersDespatched: k.ordersDespatched,
    cutoffHitRate: k.cutoffHitRate,
    leadTimeP95Min: k.leadTimeP95Minutes,
    walkedKm: Math.round(k.distanceWalkedMetres / 1000),
    utilisation: k.pickerUtilisation,
    balanced: heap.result.lines.balanced ? 'yes' : 'NO',
    invariants: heap.result.invariantViolations.length === 0 ? 'hold' : `${heap.result.invariantViolations.length} broken`,
  },
];

// The peer on the same model: on the full day, unless SIM_BENCH_SLICE_HOURS asks otherwise or the heap took over twice
// the target (the array run would then take minutes): both lists on the same first hours.
const sliceHours = sliceArgHours ?? (heap.wallMs > 2 * TARGET_SECONDS * 1000 ? AUTO_SLICE_HOURS : null);
const peerHours = sliceHours ?? peak.scenario.durationHours;
const peerInput = sliceHours === null ? peak : slice(peak, sliceHours);
const peerLabel = `${sliceHours === null ? 'peak day' : `first ${sliceHours} h (slice)`}, best of ${PEER_ROUNDS}`;
// Alternating runs, array first (the heap has just run), so JIT warm-up and machine drift favour neither list.
const heapRuns: Measured[] = sliceHours === null ? [heap] : [];
const arrayRuns: Measured[] = [];
for (let round = 0; round < PEER_ROUNDS; round++) {
  arrayRuns.push(measure(peerInput, 'array'));
  heapRuns.push(measure(peerInput, 'heap'));
}
const best = (runs: readonly Measured[]): Measured => runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
const heapPeer = best(sliceHours === null ? heapRuns.slice(1) : heapRuns);
const array = best(arrayRuns);
rows.push(row(peerLabel, 'heap', peerHours, heapPeer), row(peerLabel, 'array', peerHours, array));
const sameResult = [...heapRuns, ...arrayRuns].every((m) => JSON.stringify(m.result) === JSON.stringify(heapPeer.result));
const ratio = array.wallMs / heapPeer.wallMs;

const seconds = heap.wallMs / 1000;
const ps = peak.scenario;
const pickers = ps.labour.shifts.reduce((n, sh) => n + sh.pickers, 0);
const title = `${ps.name}: ${ps.demand.lines} lines, ${pickers} pickers, ${ps.durationHours} h, ${ps.policies.routing} routing`;
printTable(`Simulator — ${title}, congestion ${ps.congestion.enabled ? 'on' : 'off'} (scenario loaded in ${Math.round(loadMs)} ms)`, rows);
printTable('Peak day KPIs (heap run)', kpis);
const verdict: Row[] = [
  {
    target: `≤ ${TARGET_SECONDS} s`,
    wallS: seconds,
    met: seconds <= TARGET_SECONDS ? 'yes' : 'NO',
    arrayOverHeap: ratio,
    comparedOn: peerLabel,
    sameResult: sameResult ? 'yes' : 'NO',
  },
];
printTable('Target (first run) and peer (arrayOverHeap = best array wall / best heap wall; same result = every run byte-identical)', verdict);

/**
 * The event lists alone, on the classic hold model: `size` entries queued; each step pops the earliest and pushes
 * one at an exponential delay after it. Sizes around the model's own queue (one entry per picker and station).
 */
function hold(list: EventList<number>, size: number, steps: number): number {
  const rng = createRng(size);
  for (let i = 0; i < size; i++) list.push(randomExponential(rng, 1000), i);
  const step = (): void => {
    const e = list.pop();
    if (e !== undefined) list.push(e.time + randomExponential(rng, 1000), e.item);
  };
  // Warm up (JIT) on a tenth of the steps before timing.
  for (let i = 0; i < steps / 10; i++) step();
  const started = performance.now();
  for (let i = 0; i < steps; i++) step();
  return steps / ((performance.now() - started) / 1000);
}
const lists: Row[] = [];
for (const size of [10, 100, 300, 1000, 10_000]) {
  const steps = 200_000;
  const heapRate = hold(new EventQueue<number>(), size, steps);
  const arrayRate = hold(new ArrayEventList<number>(), size, size >= 10_000 ? 20_000 : steps);
  lists.push({ queued: size, heapHoldsPerS: Math.round(heapRate), arrayHoldsPerS: Math.round(arrayRate), heapOverArray: heapRate / arrayRate });
}
printTable('Event lists alone: hold model (pop the earliest, push one later), operations per second', lists);

// Load mode against the real server (a fresh schema on this machine's Postgres): L1k knee and L3 scan acks.
// `SIM_BENCH_LOAD=0` skips it (it takes about three minutes).
const load = process.env.SIM_BENCH_LOAD === '0' ? null : await measureLoad({ log: (line) => console.error(line) });
if (load !== null) {
  printTable(
    'Load mode: open-model order steps (a step passes with p99 ≤ 250 ms, ≥ 95 % acknowledged, no 5xx, clean check)',
    load.steps.map((st) => ({
      offeredPerS: st.offeredRate,
      achievedPerS: st.achievedRate,
      p50Ms: st.latencyMs.p50,
      p95Ms: st.latencyMs.p95,
      p99Ms: st.latencyMs.p99,
      serverErrors: st.serverErrors,
      generatorCpuPct: st.generatorCpuPercent,
      loadAvg: st.loadAverage,
      passed: st.passed ? 'yes' : 'no',
    })),
  );
  const sc = load.scans;
  printTable('Load mode: knee (L1k) and handheld scans (L3)', [
    {
      kneeOrdersPerS: load.kneeRate ?? 'none',
      kneeP99Ms: load.kneeP99Ms ?? '-',
      handhelds: sc.handhelds,
      signedOn: sc.signedOn,
      scansAcked: sc.acked,
      lost: sc.lost,
      scanAckP50Ms: sc.latencyMs.p50,
      scanAckP99Ms: sc.latencyMs.p99,
      checkClean: sc.checkClean ? 'yes' : 'NO',
    },
  ]);
}

console.log(
  `\nwrote ${await writeResults('simulator', {
    scenario: peak.scenario.name,
    targetSeconds: TARGET_SECONDS,
    loadMs: Math.round(loadMs),
    runs: rows,
    kpis: kpis[0],
    peer: verdict[0],
    eventLists: lists,
    events: heap.result.events,
    eventsPerSecond: Math.round(heap.result.events / seconds),
    load,
  })}`,
);
