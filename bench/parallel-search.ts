/**
 * Trials per minute of a small fixed random search on wasm, evaluated serially in this thread
 * and by a pool of worker threads (k = 2 by default): the same trials either way, so the ratio
 * is the speed-up from evaluating candidates in parallel. Throughput is a long search's rate:
 * each side runs the whole search once untimed before the clock runs, because a worker whose
 * neighbour keeps the other core busy takes a hundred-odd trials, not one, to reach its steady
 * speed (96 trials took 4.8 s cold, 3.6 s on the second pass; the main thread alone warms
 * within the first pass). The start-up (each worker loads the backend, takes the parent's
 * shared splits, then trains its first trial) is timed apart.
 */
import { loadNativeKernels, nativeOptions, type NativeKernels } from "../lib/backend/native";
import { initBackend } from "../lib/backend/select";
import type { Evaluator, Json } from "../lib/core/types";
import { loadDataset, shareSplits } from "../lib/data";
import { TrainFromScratch } from "../lib/evaluators/train-from-scratch";
import { runMultiTrialSearch } from "../lib/experiment/multi-trial-search";
import { WorkerPool, type EvaluationJob } from "../lib/experiment/worker-pool";
import { spaceFromSpec } from "../lib/spaces/registry";
import { RunStore } from "../lib/store/run-store";
import { RandomSearch } from "../lib/strategies/random-search";
import { Rng } from "../lib/core/random";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface ParallelTiming {
  trials: number;
  workers: number;
  /** One candidate at a time, native kernels on one thread (as in each worker). */
  serialTrialsPerMinute: number;
  /** One candidate at a time, native kernels on `nativeThreads` threads. */
  serialAllCoresTrialsPerMinute: number;
  nativeThreads: number;
  parallelTrialsPerMinute: number;
  /** parallel / serial (like for like). */
  speedup: number;
  /** parallel / serial on all cores. */
  speedupOverAllCores: number;
  /** Seconds to start the workers and train one warm-up trial in each. */
  startupSeconds: number;
}

export const JOB: EvaluationJob = {
  space: { kind: "macro-cnn", options: { minLayers: 1, maxLayers: 2, kernels: [3], filters: [8, 16] } },
  dataset: "fashion-mnist",
  data: { seed: 0, trainSize: 1000, validSize: 500, testSize: 100 },
  fidelity: { epochs: 1, batchSize: 50 },
};

export async function searchMinutes(evaluator: Evaluator<Json>, trials: number, round: number): Promise<number> {
  const space = spaceFromSpec(JOB.space);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-bench-"));
  const store = RunStore.open(dir, { method: "random", dataset: JOB.dataset, scale: "smoke", seed: 1 });
  const start = performance.now();
  await runMultiTrialSearch({ space, strategy: new RandomSearch(space, 1), evaluator, store, budget: trials, seed: 1, round });
  const minutes = (performance.now() - start) / 60000;
  fs.rmSync(dir, { recursive: true, force: true });
  return minutes;
}

/** Minutes of the serial search with the native kernels on `threads` threads (wasm alone without the addon). */
async function serialMinutes(evaluator: Evaluator<Json>, trials: number, native: NativeKernels | null, threads: number): Promise<number> {
  native?.setThreads(threads);
  return searchMinutes(evaluator, trials, trials);
}

export async function parallelThroughput(trials = 96, workers = 2): Promise<ParallelTiming> {
  await initBackend({ ...process.env, NASBOOK_BACKEND: "wasm" });
  const splits = await loadDataset(JOB.dataset, JOB.data);
  const serial = new TrainFromScratch(spaceFromSpec(JOB.space), splits, JOB.fidelity);
  // The addon initBackend loaded (the module is loaded once per thread).
  const options = nativeOptions(process.env);
  const native = loadNativeKernels(options).kernels;
  const allCores = options.threads;
  await serialMinutes(serial, trials, native, 1);  // warm-up, untimed
  const oneThreadMinutes = await serialMinutes(serial, trials, native, 1);
  const allCoresMinutes = await serialMinutes(serial, trials, native, allCores);
  let startupMinutes = 0;
  const start = performance.now();
  const pool = new WorkerPool(JOB, { workers, backend: "wasm", splits: shareSplits(splits) });
  let parallelMinutes: number;
  try {
    const warmUp = spaceFromSpec(JOB.space).sample(new Rng(0));
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.evaluate(warmUp, { seed: i })));
    startupMinutes = (performance.now() - start) / 60000;
    await searchMinutes(pool, trials, trials);  // warm-up, untimed
    parallelMinutes = await searchMinutes(pool, trials, trials);
  } finally {
    await pool.close();
  }
  return {
    trials,
    workers,
    serialTrialsPerMinute: trials / oneThreadMinutes,
    serialAllCoresTrialsPerMinute: trials / allCoresMinutes,
    nativeThreads: allCores,
    parallelTrialsPerMinute: trials / parallelMinutes,
    speedup: oneThreadMinutes / parallelMinutes,
    speedupOverAllCores: allCoresMinutes / parallelMinutes,
    startupSeconds: startupMinutes * 60,
  };
}
