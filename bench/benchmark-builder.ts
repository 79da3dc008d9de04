/**
 * Throughput of `nasbook bench build` at the shipped table's (quick) fidelity: the real builder,
 * `workers` worker threads and all, trains the first 1/`parts` of the work list into a scratch directory.
 * Cells per minute, and the whole table's projected build time, are what a rebuild costs here.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildBenchmark } from "../lib/experiment/benchmark-build";

export interface BuilderThroughput {
  readonly trainings: number;
  readonly seconds: number;
  readonly cellsPerMinute: number;
  /** The whole work list at this rate. */
  readonly projectedHours: number;
}

/**
 * `threads` kernel threads per worker, when given (NASBOOK_NATIVE_THREADS); else the pool's
 * default, the cores shared out among the workers. 1/150 of the work list is 46 trainings: with
 * 1/300's 23 the workers' start and the last cell, trained while the other worker idles, were a
 * tenth of the clock.
 */
export async function builderThroughput(workers: number, threads?: number, parts = 150): Promise<BuilderThroughput> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-bench-build-"));
  // The builder sizes its pool from NASBOOK_WORKERS (worker-pool.ts's defaultWorkerCount), each worker's kernels from NASBOOK_NATIVE_THREADS.
  const restore = setEnv({ NASBOOK_WORKERS: String(workers), NASBOOK_NATIVE_THREADS: threads === undefined ? undefined : String(threads) });
  try {
    const start = performance.now();
    const result = await buildBenchmark({ space: "nb201", dataset: "fashion-mnist", scale: "quick", seed: 0, out, part: { k: 1, n: parts } });
    const seconds = (performance.now() - start) / 1000;
    const cellsPerMinute = (result.trained / seconds) * 60;
    return { trainings: result.trained, seconds, cellsPerMinute, projectedHours: result.total / cellsPerMinute / 60 };
  } finally {
    restore();
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** Sets (or, for undefined, unsets) environment variables; returns what puts them back. */
function setEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const assign = (entries: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  assign(values);
  return () => assign(saved);
}
