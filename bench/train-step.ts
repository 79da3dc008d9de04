/**
 * `node build/bench/train-step.js [--workloads a,b|all] [--rounds R] [--steps N] [--threaded] [--profile]`:
 * milliseconds per step of the workloads NAS spends its time in (bench/workloads.ts: the
 * reference CNN, a DARTS mixed op, first-order DARTS bilevel steps, NAS-Bench-201 and NAS-RL
 * training steps, the controller's update) on nasbook's default backend (wasm with the native
 * kernels), next to PyTorch building the same networks (bench/torch_reference.py, CPU, all
 * cores) when `$TORCH_PYTHON` (default /usr/bin/python3) has torch. PyTorch and nasbook
 * alternate for R rounds (default 3), workload by workload, each in a fresh process, who goes
 * first alternating; the table shows medians and the
 * achieved GFLOP/s, the ratio lines the median of the per-round ratios, and the machine's
 * measured peak (a large 1x1 convolution, a GEMM, on either side) is printed
 * beside them. The parameter counts of the two sides must agree, or the bench fails.
 * `--workloads` picks workloads by name (default: all but darts-step-paper, tens of seconds a
 * step); `--steps N` overrides each workload's timed steps; `--threaded` adds threaded wasm;
 * the first round also tries tfjs's other backends on the two raw-op networks.
 * Then trials per minute of a small search (`--trials N`, default 96), serial vs k worker threads (`--workers K`, default 2;
 * `--no-parallel` skips it), the cells per minute of `nasbook bench build` at the shipped
 * table's fidelity with one worker and with two (`--no-builder` skips it), and 1 and 2 queue workers next to as many worker threads
 * (bench/queue-throughput.ts, `--queue-trials N`, default 24; `--no-queue` skips it). Prints tables and writes build/bench/train-step.json (with the load
 * average, since the machine may be shared). `--profile` adds wasm's per-kernel times.
 */
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/select";
import { firstLine } from "../lib/core/env";
import { median } from "../lib/core/stats";
import { MAX_WASM_THREADS } from "../lib/backend/wasm-threads";
import { threadsPerWorker } from "../lib/experiment/worker-pool";
import { redisServerMissing } from "../test/unit/run-fixtures";
import { builderThroughput } from "./benchmark-builder";
import { BENCH_NETWORKS, type BenchNetwork } from "./networks";
import { parallelThroughput, type ParallelTiming } from "./parallel-search";
import { queueThroughput } from "./queue-throughput";
import { selectWorkloads, type Workload, type WorkloadRun } from "./workloads";

/** One workload's timing on one backend in one round. */
interface Timing {
  workload: string;
  backend: string;
  msPerStep: number | null;
  params?: number;
  flopsPerStep?: number;
  note?: string;
}

/** What one PyTorch process measured. */
interface TorchRound {
  rows: Timing[];
  peakGflops: number | null;
}

const CPU_BUDGET_MS = 3000;
const PYTHON = process.env.TORCH_PYTHON ?? "/usr/bin/python3";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function listOption(name: string): string[] | null {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1].split(",") : null;
}


/**
 * Untimed steps before the clock runs, the same on both sides: 40 for cheap workloads, whose
 * first 20-odd steps run in V8's interpreter and baseline tiers (a NAS-Bench-201 step took 23-35
 * ms until its 20th, 14-18 ms after; a search trains hundreds of steps a child), 1 for the slow.
 */
function warmupSteps(steps: number): number {
  return steps < 10 ? 1 : 40;
}

/** Median ms of `steps` timed steps after warmupSteps(steps) untimed ones. */
function timeSteps(run: WorkloadRun, steps: number): number {
  for (let i = 0; i < warmupSteps(steps); i++) {
    run.prepare?.();
    run.step();
  }
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    run.prepare?.();
    const start = performance.now();
    run.step();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** tfjs's cpu backend is a scalar JS loop: time one batch-1 step of a raw network first and skip if hopeless. */
function cpuEstimateMs(net: BenchNetwork): number {
  const p = net.params();
  const x = tf.randomNormal([1, ...net.inputShape.slice(1)] as BenchNetwork["inputShape"], 0, 1, "float32", 7) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([0], "int32"), net.classes);
  const optimizer = tf.train.sgd(0.01);
  const step = () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, net.logits(x, p)) as tf.Scalar);
  step();
  const start = performance.now();
  step();
  const ms = (performance.now() - start) * net.inputShape[0];
  optimizer.dispose();
  tf.dispose([x, labels, ...Object.values(p)]);
  return ms;
}

/** How nasbook started wasm (its thread counts), shown beside the wasm rows. */
let wasmDetail: string | null = null;

async function activate(backend: string): Promise<string | null> {
  try {
    if (backend === "tensorflow") require("@tensorflow/tfjs-node");
    // wasm as nasbook starts it: one XNNPACK thread unless NASBOOK_WASM_THREADS asks for more.
    if (backend === "wasm") {
      wasmDetail = (await initBackend({ ...process.env, NASBOOK_BACKEND: "wasm" })).detail;
      return null;
    }
    if (!(await tf.setBackend(backend))) return "could not be initialised";
    // As nasbook's initBackend does: production mode skips tfjs's per-op debug checks.
    tf.enableProdMode();
    return null;
  } catch (error) {
    return firstLine(error);
  }
}

function measure(workload: Workload, backend: string): Timing {
  const net = BENCH_NETWORKS.find((n) => n.name === workload.name);
  if (backend === "cpu" && net) {
    const estimate = cpuEstimateMs(net);
    if (estimate > CPU_BUDGET_MS) {
      return { workload: workload.name, backend, msPerStep: null, note: `skipped: ~${(estimate / 1000).toFixed(0)} s/step estimated from batch 1` };
    }
  }
  const run = workload.start();
  try {
    const msPerStep = timeSteps(run, option("--steps", workload.steps));
    return { workload: workload.name, backend, msPerStep, params: run.params, flopsPerStep: run.flopsPerStep, note: backend === "wasm" ? wasmDetail ?? undefined : undefined };
  } finally {
    run.dispose();
  }
}

/** wasm (nasbook's default) runs every workload; the other tfjs backends only the two raw-op networks. */
async function tfjsTimings(backends: readonly string[], workloads: readonly Workload[]): Promise<Timing[]> {
  const rows: Timing[] = [];
  for (const backend of backends) {
    const failure = await activate(backend);
    for (const workload of workloads) {
      if (backend !== "wasm" && !BENCH_NETWORKS.some((n) => n.name === workload.name)) continue;
      if (failure) {
        rows.push({ workload: workload.name, backend, msPerStep: null, note: `unavailable: ${failure}` });
        continue;
      }
      try {
        rows.push(measure(workload, backend));
      } catch (error) {
        rows.push({ workload: workload.name, backend, msPerStep: null, note: `failed: ${firstLine(error)}` });
      }
    }
  }
  return rows;
}

function torchTimings(workloads: readonly Workload[]): TorchRound {
  const specFile = path.join(os.tmpdir(), `nasbook-torch-spec-${process.pid}.json`);
  const steps = (w: Workload) => option("--steps", w.steps);
  writeFileSync(specFile, JSON.stringify(workloads.map((w) => ({ name: w.name, steps: steps(w), warmup: warmupSteps(steps(w)), torch: w.torch }))));
  const script = path.resolve(__dirname, "../../bench/torch_reference.py");
  const run = spawnSync(PYTHON, [script, "--spec", specFile], { encoding: "utf8" });
  rmSync(specFile, { force: true });
  if (run.status !== 0) {
    const why = (run.stderr || String(run.error ?? "failed")).trim().split("\n").pop();
    return { rows: workloads.map((w) => ({ workload: w.name, backend: "pytorch", msPerStep: null, note: `unavailable: ${why}` })), peakGflops: null };
  }
  const result = JSON.parse(run.stdout) as { threads: number; msPerStep: Record<string, number>; params: Record<string, number>; peakGflops: number };
  const rows = workloads.map((w) => ({ workload: w.name, backend: `pytorch (${result.threads} threads)`, msPerStep: result.msPerStep[w.name], params: result.params[w.name] }));
  return { rows, peakGflops: result.peakGflops };
}

/**
 * The same networks, or the comparison means nothing: PyTorch's parameter count of every
 * workload must be nasbook's.
 */
function checkParams(rows: readonly Timing[]): void {
  for (const torch of rows.filter((r) => r.backend.startsWith("pytorch") && r.params !== undefined)) {
    const wasm = rows.find((r) => r.workload === torch.workload && r.backend === "wasm");
    if (wasm?.params !== undefined && wasm.params !== torch.params) {
      throw new Error(`${torch.workload}: PyTorch builds ${torch.params} parameters, nasbook ${wasm.params}: not the same network`);
    }
  }
}

/** The wasm variants timed: nasbook's default, and threaded wasm (one XNNPACK thread per core, up to 8) with `--threaded`. */
function wasmVariants(): string[] {
  const threads = Math.min(os.availableParallelism(), MAX_WASM_THREADS);
  return process.argv.includes("--threaded") && threads >= 2 ? ["wasm", "wasm-threaded"] : ["wasm"];
}

type Ratio = { workload: string; wasm: string; overPytorch: number | null };

function ratioRows(rows: Timing[], workloads: readonly Workload[]): Ratio[] {
  return workloads.flatMap((w) =>
    wasmVariants().map((variant) => {
      const wasm = rows.find((r) => r.workload === w.name && r.backend === variant)?.msPerStep;
      const torch = rows.find((r) => r.workload === w.name && r.backend.startsWith("pytorch"))?.msPerStep;
      return { workload: w.name, wasm: variant, overPytorch: wasm && torch ? wasm / torch : null };
    }),
  );
}

interface Round {
  rows: Timing[];
  torchPeakGflops: number | null;
  nativePeakGflops: number | null;
  /** 1-minute load average when the round ended. */
  load: number;
}

/**
 * Alternates PyTorch and nasbook for `rounds` rounds, workload by workload: on a shared machine
 * the speed changes within minutes, so only timings taken side by side compare. Each workload's
 * two timings are seconds apart, and which side goes first alternates, so that a machine speeding
 * up or slowing down favours neither. The first round also tries every other tfjs backend on the
 * raw-op networks.
 */
async function timeRounds(rounds: number, workloads: readonly Workload[]): Promise<Round[]> {
  const all: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    const backends = r === 0 ? ["tensorflow", "wasm", "cpu"] : ["wasm"];
    const rows: Timing[] = [];
    const torchPeaks: Array<number | null> = [], nativePeaks: Array<number | null> = [];
    workloads.forEach((workload, i) => {
      let torch: Timing[] = [], nasbook: Timing[] = [];
      const torchSide = () => {
        const timed = torchTimings([workload]);
        torchPeaks.push(timed.peakGflops);
        torch = timed.rows;
      };
      const nasbookSide = () => {
        const timed = tfjsTimingsInChild(backends, [workload], "1");
        nativePeaks.push(timed.peakGflops);
        nasbook = [...timed.rows, ...threadedTimings(workload)];
      };
      for (const side of (r + i) % 2 === 0 ? [torchSide, nasbookSide] : [nasbookSide, torchSide]) side();
      rows.push(...torch, ...nasbook);
    });
    checkParams(rows);
    all.push({ rows, torchPeakGflops: medianOrNull(torchPeaks), nativePeakGflops: medianOrNull(nativePeaks), load: os.loadavg()[0] });
    // As it goes: a round on a busy machine can take minutes.
    const line = ratioRows(rows, workloads).map((x) => `${x.workload} ${x.wasm} ${x.overPytorch?.toFixed(2) ?? "n/a"}x`).join(", ");
    console.log(`round ${r + 1} (load ${all[r].load.toFixed(2)}): ${line}`);
  }
  return all;
}

/** Threaded wasm's timings of `workload` with `--threaded`, else none. */
function threadedTimings(workload: Workload): Timing[] {
  if (!wasmVariants().includes("wasm-threaded")) return [];
  const threads = String(Math.min(os.availableParallelism(), MAX_WASM_THREADS));
  return tfjsTimingsInChild(["wasm"], [workload], threads).rows.map((t) => ({ ...t, backend: "wasm-threaded" }));
}

/**
 * tfjs timings in a fresh process, like PyTorch's: threaded wasm's idle pthread workers would
 * otherwise live on in this process and take CPU from the next PyTorch run.
 */
function tfjsTimingsInChild(backends: readonly string[], workloads: readonly Workload[], wasmThreads: string): { rows: Timing[]; peakGflops: number | null } {
  const env = { ...process.env, NASBOOK_WASM_THREADS: wasmThreads };
  const args = [__filename, TFJS_CHILD, backends.join(","), "--workloads", workloads.map((w) => w.name).join(","), ...forwarded("--steps")];
  const run = spawnSync(process.execPath, args, { encoding: "utf8", env, maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`tfjs timing process failed: ${run.stderr.trim().split("\n").pop()}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() as string);
}

function forwarded(name: string): string[] {
  const i = process.argv.indexOf(name);
  return i >= 0 ? [name, process.argv[i + 1]] : [];
}

const TFJS_CHILD = "--tfjs-child";

/**
 * This machine's peak as nasbook's kernels reach it: a 1x1 convolution of a 64x64 map from 256 to
 * 256 channels (a [4096 x 256] x [256 x 256] matrix product, 0.54 GFLOP: no Winograd shortcut
 * can do fewer multiplications) on the wasm backend,
 * which runs it on the native addon's GEMM on every core when the addon is built (else
 * XNNPACK). Best of 5, so that a busy machine's stalls count least. wasm runs its kernels
 * synchronously, so the product is done when conv2d returns: reading its 4 MB back (dataSync,
 * about 1.5 ms) would halve the figure, and PyTorch's side reads nothing back either.
 */
function nativePeakGflops(): number {
  const x = tf.randomNormal([1, 64, 64, 256]) as tf.Tensor4D;
  const w = tf.randomNormal([1, 1, 256, 256]) as tf.Tensor4D;
  const once = () => {
    const start = performance.now();
    tf.conv2d(x, w, 1, "same").dispose();
    return (performance.now() - start) / 1000;
  };
  once();
  const best = Math.min(...Array.from({ length: 5 }, once));
  tf.dispose([x, w]);
  return (2 * 4096 * 256 * 256) / best / 1e9;
}

function medianOrNull(values: Array<number | null | undefined>): number | null {
  const present = values.filter((v): v is number => typeof v === "number");
  return present.length === 0 ? null : median(present);
}

/** Each backend's median over the rounds, and the median of the per-round wasm/PyTorch ratios. */
function combineRounds(all: Round[], workloads: readonly Workload[]): { rows: Timing[]; ratios: Ratio[] } {
  const rows = all[0].rows.map((first) => ({
    ...first,
    msPerStep: medianOrNull(all.map((round) => round.rows.find((r) => r.workload === first.workload && r.backend === first.backend)?.msPerStep)),
  }));
  const perRound = all.map((round) => ratioRows(round.rows, workloads));
  const ratios = perRound[0].map(({ workload, wasm }) => ({
    workload,
    wasm,
    overPytorch: medianOrNull(perRound.map((round) => round.find((r) => r.workload === workload && r.wasm === wasm)?.overPytorch)),
  }));
  return { rows, ratios };
}

/** GFLOP/s of a row: the workload's FLOPs per step (nasbook's count, the same network on both sides) over its time. */
function gflops(row: Timing, rows: readonly Timing[]): number | null {
  const flops = row.flopsPerStep ?? rows.find((r) => r.workload === row.workload && r.flopsPerStep !== undefined)?.flopsPerStep;
  return flops === undefined || row.msPerStep === null ? null : flops / (row.msPerStep / 1000) / 1e9;
}

function printTable(rows: Timing[], ratios: Ratio[]): void {
  console.log(`${"workload".padEnd(18)} ${"backend".padEnd(20)} ${"ms/step".padStart(9)} ${"GFLOP/s".padStart(8)} ${"params".padStart(8)}  note`);
  for (const r of rows) {
    const ms = r.msPerStep === null ? "-" : r.msPerStep.toFixed(1);
    const rate = gflops(r, rows);
    console.log(`${r.workload.padEnd(18)} ${r.backend.padEnd(20)} ${ms.padStart(9)} ${(rate === null ? "-" : rate.toFixed(2)).padStart(8)} ${String(r.params ?? "-").padStart(8)}  ${r.note ?? ""}`);
  }
  for (const r of ratios) {
    console.log(`${r.workload}: ${r.wasm} / PyTorch = ${r.overPytorch === null ? "n/a" : r.overPytorch.toFixed(2) + "x"} (median of rounds)`);
  }
}

/** Sums wasm's kernel times over one step of each workload, largest first. */
async function printProfile(workloads: readonly Workload[]): Promise<void> {
  await activate("wasm");
  for (const workload of workloads) {
    const run = workload.start();
    run.prepare?.();
    run.step();
    run.prepare?.();
    const info = await tf.profile(() => {
      run.step();
    });
    const byKernel = new Map<string, number>();
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
    console.log(`\nwasm kernel times for one ${workload.name} step (ms), ${info.kernels.length} kernel calls:`);
    for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`  ${name.padEnd(36)} ${ms.toFixed(2).padStart(8)}`);
    }
    run.dispose();
  }
}

function printParallel(p: ParallelTiming): void {
  console.log(`\nsearch of ${p.trials} trials on wasm, one candidate at a time: ${p.serialTrialsPerMinute.toFixed(1)} trials/min ` +
    `(native kernels on 1 thread, as in each worker), ${p.serialAllCoresTrialsPerMinute.toFixed(1)} trials/min (on ${p.nativeThreads} threads)`);
  console.log(`${p.workers} warm workers: ${p.parallelTrialsPerMinute.toFixed(1)} trials/min = ${p.speedup.toFixed(2)}x the first, ` +
    `${p.speedupOverAllCores.toFixed(2)}x the second; starting the workers took ${p.startupSeconds.toFixed(1)} s`);
}

function printPeaks(rounds: readonly Round[]): void {
  const torch = medianOrNull(rounds.map((r) => r.torchPeakGflops));
  const native = medianOrNull(rounds.map((r) => r.nativePeakGflops));
  console.log(`measured peak, a 1x1 conv 64x64x256 -> 256 (a 4096x256x256 GEMM), best of 5, median of rounds: ` +
    `${native?.toFixed(1) ?? "n/a"} GFLOP/s on nasbook's kernels, ${torch?.toFixed(1) ?? "n/a"} GFLOP/s in PyTorch`);
}

async function main(): Promise<void> {
  const workloads = selectWorkloads(listOption("--workloads"));
  const child = process.argv.indexOf(TFJS_CHILD);
  if (child >= 0) {
    await activate("wasm");
    const peakGflops = nativePeakGflops();
    const rows = await tfjsTimings(process.argv[child + 1].split(","), workloads);
    console.log(JSON.stringify({ rows, peakGflops }));
    return;
  }
  const loadBefore = os.loadavg();
  const rounds = await timeRounds(option("--rounds", 3), workloads);
  const { rows, ratios } = combineRounds(rounds, workloads);
  printTable(rows, ratios);
  printPeaks(rounds);
  const parallel = process.argv.includes("--no-parallel") ? null : await parallelThroughput(option("--trials", 96), option("--workers", 2));
  if (parallel) printParallel(parallel);
  const builder = process.argv.includes("--no-builder") ? null : await builderComparison();
  const skipQueue = process.argv.includes("--no-queue");
  const redisMissing = skipQueue ? null : redisServerMissing();
  if (redisMissing) console.log(`\nqueue skipped: ${redisMissing}`);
  const queue = skipQueue || redisMissing ? null : await queueThroughput(option("--queue-trials", 24));
  for (const row of queue?.rows ?? []) {
    console.log(`${row.workers} queue worker(s) over redis on loopback: ${row.queueTrialsPerMinute.toFixed(1)} trials/min, ${row.workers} worker thread(s): ` +
      `${row.threadsTrialsPerMinute.toFixed(1)} trials/min (${queue?.trials} trials, 1 kernel thread each); the queue costs ${row.overheadSecondsPerTrial.toFixed(2)} s per trial`);
  }
  const loadAverage = { before: loadBefore, after: os.loadavg(), cores: os.availableParallelism() };
  console.log(`load average (1, 5, 15 min) before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAverage.after.map((l) => l.toFixed(2)).join(" ")} on ${loadAverage.cores} cores`);
  const out = path.join(__dirname, "train-step.json");
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), loadAverage, rows, ratios, rounds, parallel, builder, queue }, null, 2));
  console.log(`\nwrote ${out}`);
  if (process.argv.includes("--profile")) await printProfile(workloads);
}

/**
 * The builder with one worker on one kernel thread, one on every core, then two workers (one
 * kernel thread each on two cores): what a second worker buys, like for like, and over a lone
 * worker whose kernels already use both cores.
 */
async function builderComparison() {
  const runs = [
    { label: "1 worker, 1 kernel thread", workers: 1, threads: 1 },
    { label: "1 worker, kernels on every core", workers: 1, threads: undefined },
    { label: `2 workers, ${threadsPerWorker(2)} kernel thread(s) each`, workers: 2, threads: undefined },
  ];
  const results = [];
  for (const run of runs) {
    const b = await builderThroughput(run.workers, run.threads);
    console.log(`\nbench build (nb201, quick fidelity, ${run.label}, ${b.trainings} trainings in ${b.seconds.toFixed(1)} s, workers started in the clock): ` +
      `${b.cellsPerMinute.toFixed(1)} cells/min; the whole table would take ${b.projectedHours.toFixed(2)} h here`);
    results.push({ ...run, ...b });
  }
  const [single, allCores, two] = results.map((r) => r.cellsPerMinute);
  console.log(`two builder workers: ${(two / single).toFixed(2)}x one worker on one kernel thread, ${(two / allCores).toFixed(2)}x one on every core`);
  return results;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
