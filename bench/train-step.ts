/**
 * `node build/bench/train-step.js [--profile] [--steps N] [--rounds R]`: milliseconds per
 * training step (forward, backward, SGD update) of the bench networks on every tfjs backend
 * available here, next to PyTorch (bench/torch_reference.py, CPU, all cores) when
 * `$TORCH_PYTHON` (default /usr/bin/python3) has torch; PyTorch and wasm alternate for R rounds (default 3) and the table
 * shows medians, the ratio line the median of the per-round ratios.
 * Then trials per minute of a small search (`--trials N`, default 96), serial vs k worker threads (`--workers K`, default 2;
 * `--no-parallel` skips it), and the cells per minute of `nasbook bench build` at the shipped
 * table's fidelity (`--no-builder` skips it), and 1 and 2 queue workers next to as many worker threads
 * (bench/queue-throughput.ts, `--queue-trials N`, default 24; `--no-queue` skips it). Prints tables and writes build/bench/train-step.json (with the load
 * average, since the machine may be shared). `--profile` adds wasm's per-kernel times.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/select";
import { firstLine } from "../lib/core/env";
import { MAX_WASM_THREADS } from "../lib/backend/wasm-threads";
import { builderThroughput } from "./benchmark-builder";
import { BENCH_NETWORKS, BenchNetwork } from "./networks";
import { parallelThroughput, type ParallelTiming } from "./parallel-search";
import { queueThroughput } from "./queue-throughput";

interface Timing {
  network: string;
  backend: string;
  msPerStep: number | null;
  note?: string;
}

const CPU_BUDGET_MS = 3000;
const PYTHON = process.env.TORCH_PYTHON ?? "/usr/bin/python3";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Builds the network on the current backend and returns one SGD step plus a cleanup. */
function trainer(net: BenchNetwork, batch = net.inputShape[0]) {
  const p = net.params();
  const [, h, w, c] = net.inputShape;
  const x = tf.randomNormal([batch, h, w, c], 0, 1, "float32", 7) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % net.classes), "int32"), net.classes);
  const optimizer = tf.train.sgd(0.01);
  const step = () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, net.logits(x, p)) as tf.Scalar);
  const dispose = () => {
    optimizer.dispose();
    tf.dispose([x, labels, ...Object.values(p)]);
  };
  return { step, dispose };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeSteps(net: BenchNetwork, steps: number, warmup = 3): number {
  const t = trainer(net);
  for (let i = 0; i < warmup; i++) t.step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    t.step();
    times.push(performance.now() - start);
  }
  t.dispose();
  return median(times);
}

/** tfjs's cpu backend is a scalar JS loop: time one batch-1 step first and skip if hopeless. */
function cpuEstimateMs(net: BenchNetwork): number {
  const t = trainer(net, 1);
  t.step();
  const start = performance.now();
  t.step();
  const ms = (performance.now() - start) * net.inputShape[0];
  t.dispose();
  return ms;
}

/** How nasbook started wasm (its thread count), shown beside the wasm rows. */
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

function measure(net: BenchNetwork, backend: string, steps: number): Timing {
  if (backend === "cpu") {
    const estimate = cpuEstimateMs(net);
    if (estimate > CPU_BUDGET_MS) {
      return { network: net.name, backend, msPerStep: null, note: `skipped: ~${(estimate / 1000).toFixed(0)} s/step estimated from batch 1` };
    }
  }
  return { network: net.name, backend, msPerStep: timeSteps(net, steps), note: backend === "wasm" ? wasmDetail ?? undefined : undefined };
}

async function tfjsTimings(steps: number, backends: readonly string[]): Promise<Timing[]> {
  const rows: Timing[] = [];
  for (const backend of backends) {
    const failure = await activate(backend);
    for (const net of BENCH_NETWORKS) {
      if (failure) {
        rows.push({ network: net.name, backend, msPerStep: null, note: `unavailable: ${failure}` });
        continue;
      }
      try {
        rows.push(measure(net, backend, steps));
      } catch (error) {
        rows.push({ network: net.name, backend, msPerStep: null, note: `failed: ${firstLine(error)}` });
      }
    }
  }
  return rows;
}

function torchTimings(steps: number): Timing[] {
  const script = path.resolve(__dirname, "../../bench/torch_reference.py");
  const run = spawnSync(PYTHON, [script, "--steps", String(steps)], { encoding: "utf8" });
  if (run.status !== 0) {
    const why = (run.stderr || String(run.error ?? "failed")).trim().split("\n").pop();
    return BENCH_NETWORKS.map((net) => ({ network: net.name, backend: "pytorch", msPerStep: null, note: `unavailable: ${why}` }));
  }
  const result = JSON.parse(run.stdout) as { threads: number; msPerStep: Record<string, number> };
  return BENCH_NETWORKS.map((net) => ({
    network: net.name, backend: `pytorch (${result.threads} threads)`, msPerStep: result.msPerStep[net.name],
  }));
}

/** wasm with XNNPACK on one thread, and threaded wasm (one XNNPACK thread per core, up to 8) when it starts; both with the native kernels when built. */
const WASM_VARIANTS = ["wasm", "wasm-threaded"] as const;

type Ratio = { network: string; wasm: string; overPytorch: number | null };

function ratioRows(rows: Timing[]): Ratio[] {
  return BENCH_NETWORKS.flatMap((net) =>
    WASM_VARIANTS.map((variant) => {
      const wasm = rows.find((r) => r.network === net.name && r.backend === variant)?.msPerStep;
      const torch = rows.find((r) => r.network === net.name && r.backend.startsWith("pytorch"))?.msPerStep;
      return { network: net.name, wasm: variant, overPytorch: wasm && torch ? wasm / torch : null };
    }),
  );
}

/**
 * Alternates PyTorch and wasm for `rounds` rounds: on a shared machine the load changes within
 * seconds, so only timings taken side by side compare. The first round also tries every other
 * backend.
 */
async function timeRounds(steps: number, rounds: number): Promise<Timing[][]> {
  const all: Timing[][] = [];
  for (let r = 0; r < rounds; r++) {
    const backends = r === 0 ? ["tensorflow", "wasm", "cpu"] : ["wasm"];
    const threads = Math.min(os.availableParallelism(), MAX_WASM_THREADS);
    const threaded = threads < 2 ? [] : tfjsTimingsInChild(steps, ["wasm"], String(threads)).map((t) => ({ ...t, backend: "wasm-threaded" }));
    all.push([...torchTimings(steps), ...tfjsTimingsInChild(steps, backends, "1"), ...threaded]);
  }
  return all;
}

/**
 * tfjs timings in a fresh process, like PyTorch's: threaded wasm's idle pthread workers would
 * otherwise live on in this process and take CPU from the next PyTorch run.
 */
function tfjsTimingsInChild(steps: number, backends: readonly string[], wasmThreads: string): Timing[] {
  const env = { ...process.env, NASBOOK_WASM_THREADS: wasmThreads };
  const run = spawnSync(process.execPath, [__filename, TFJS_CHILD, backends.join(","), "--steps", String(steps)], { encoding: "utf8", env });
  if (run.status !== 0) throw new Error(`tfjs timing process failed: ${run.stderr.trim().split("\n").pop()}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() as string) as Timing[];
}

const TFJS_CHILD = "--tfjs-child";

function medianOrNull(values: Array<number | null | undefined>): number | null {
  const present = values.filter((v): v is number => typeof v === "number");
  return present.length === 0 ? null : median(present);
}

/** Each backend's median over the rounds, and the median of the per-round wasm/PyTorch ratios. */
function combineRounds(all: Timing[][]): { rows: Timing[]; ratios: Ratio[] } {
  const rows = all[0].map((first) => ({
    ...first,
    msPerStep: medianOrNull(all.map((round) => round.find((r) => r.network === first.network && r.backend === first.backend)?.msPerStep)),
  }));
  const perRound = all.map(ratioRows);
  const ratios = perRound[0].map(({ network, wasm }) => ({
    network,
    wasm,
    overPytorch: medianOrNull(perRound.map((round) => round.find((r) => r.network === network && r.wasm === wasm)?.overPytorch)),
  }));
  return { rows, ratios };
}

function printTable(rows: Timing[], ratios: ReturnType<typeof ratioRows>): void {
  console.log(`${"network".padEnd(16)} ${"backend".padEnd(22)} ${"ms/step".padStart(9)}  note`);
  for (const r of rows) {
    const ms = r.msPerStep === null ? "-" : r.msPerStep.toFixed(1);
    console.log(`${r.network.padEnd(16)} ${r.backend.padEnd(22)} ${ms.padStart(9)}  ${r.note ?? ""}`);
  }
  for (const r of ratios) {
    console.log(`${r.network}: ${r.wasm} / PyTorch = ${r.overPytorch === null ? "n/a" : r.overPytorch.toFixed(2) + "x"} (median of rounds)`);
  }
}

/** Sums wasm's kernel times over one step of each network, largest first. */
async function printProfile(): Promise<void> {
  await activate("wasm");
  for (const net of BENCH_NETWORKS) {
    const t = trainer(net);
    t.step();
    const info = await tf.profile(() => {
      t.step();
    });
    const byKernel = new Map<string, number>();
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
    console.log(`\nwasm kernel times for one ${net.name} step (ms):`);
    for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`  ${name.padEnd(36)} ${ms.toFixed(2).padStart(8)}`);
    }
      t.dispose();
  }
}

function printParallel(p: ParallelTiming): void {
  console.log(`\nsearch of ${p.trials} trials on wasm, one candidate at a time: ${p.serialTrialsPerMinute.toFixed(1)} trials/min ` +
    `(native kernels on 1 thread, as in each worker), ${p.serialAllCoresTrialsPerMinute.toFixed(1)} trials/min (on ${p.nativeThreads} threads)`);
  console.log(`${p.workers} warm workers: ${p.parallelTrialsPerMinute.toFixed(1)} trials/min = ${p.speedup.toFixed(2)}x the first, ` +
    `${p.speedupOverAllCores.toFixed(2)}x the second; starting the workers took ${p.startupSeconds.toFixed(1)} s`);
}

async function main(): Promise<void> {
  const steps = option("--steps", 10);
  const child = process.argv.indexOf(TFJS_CHILD);
  if (child >= 0) {
    console.log(JSON.stringify(await tfjsTimings(steps, process.argv[child + 1].split(","))));
    return;
  }
  const loadBefore = os.loadavg();
  const rounds = await timeRounds(steps, option("--rounds", 3));
  const { rows, ratios } = combineRounds(rounds);
  printTable(rows, ratios);
  for (const [i, round] of rounds.entries()) {
    const line = ratioRows(round).map((r) => `${r.network} ${r.wasm} ${r.overPytorch?.toFixed(2) ?? "n/a"}x`).join(", ");
    console.log(`  round ${i + 1}: ${line}`);
  }
  const parallel = process.argv.includes("--no-parallel") ? null : await parallelThroughput(option("--trials", 96), option("--workers", 2));
  if (parallel) printParallel(parallel);
  const builder = process.argv.includes("--no-builder") ? null : await builderThroughput();
  if (builder) {
    console.log(`\nbench build (nb201, quick fidelity, ${builder.trainings} trainings in ${builder.seconds.toFixed(1)} s, workers started in the clock): ` +
      `${builder.cellsPerMinute.toFixed(1)} cells/min; the whole table would take ${builder.projectedHours.toFixed(2)} h here`);
  }
  const queue = process.argv.includes("--no-queue") ? null : await queueThroughput(option("--queue-trials", 24));
  for (const row of queue?.rows ?? []) {
    console.log(`${row.workers} queue worker(s) over redis on loopback: ${row.queueTrialsPerMinute.toFixed(1)} trials/min, ${row.workers} worker thread(s): ` +
      `${row.threadsTrialsPerMinute.toFixed(1)} trials/min (${queue?.trials} trials, 1 kernel thread each); the queue costs ${row.overheadSecondsPerTrial.toFixed(2)} s per trial`);
  }
  const loadAverage = { before: loadBefore, after: os.loadavg(), cores: os.availableParallelism() };
  console.log(`load average (1, 5, 15 min) before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAverage.after.map((l) => l.toFixed(2)).join(" ")} on ${loadAverage.cores} cores`);
  const out = path.join(__dirname, "train-step.json");
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), steps, loadAverage, rows, ratios, rounds, parallel, builder, queue }, null, 2));
  console.log(`\nwrote ${out}`);
  if (process.argv.includes("--profile")) await printProfile();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
