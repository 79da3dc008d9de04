/**
 * Trials per minute of the same small random search (parallel-search.ts's) evaluated by k
 * worker threads of this process and by k `nasbook worker` processes on a BullMQ queue over a
 * redis-server on loopback, k = 1 and 2, each training on one kernel thread: the difference is
 * what the queue costs per trial (a job's round trip through Redis, and the coordinator's
 * polling). Every evaluator is warmed (one trial per worker) before the clock runs.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { initBackend } from "../lib/backend/select";
import { Rng } from "../lib/core/random";
import type { Evaluator, Json } from "../lib/core/types";
import { QueuePool } from "../lib/experiment/queue/queue-pool";
import { WorkerPool } from "../lib/experiment/worker-pool";
import { spaceFromSpec } from "../lib/spaces/registry";
import { startRedisServer } from "../test/unit/run-fixtures";
import { JOB, searchMinutes } from "./parallel-search";

export interface QueueTiming {
  trials: number;
  rows: Array<{ workers: number; threadsTrialsPerMinute: number; queueTrialsPerMinute: number; overheadSecondsPerTrial: number }>;
}

const CLI = path.join(__dirname, "..", "lib", "cli", "main.js");

/** Minutes of `trials` trials after one warm-up trial per worker (a run of its own, so its jobs are not reused). */
async function warmMinutes(make: (tag: string) => Evaluator<Json> & { close(): Promise<void> }, workers: number, trials: number): Promise<number> {
  const warmUp = make("warm-up");
  const genotype = spaceFromSpec(JOB.space).sample(new Rng(0));
  await Promise.all(Array.from({ length: workers }, (_, i) => warmUp.evaluate(genotype, { seed: i, trial: i })));
  await warmUp.close();
  const timed = make("timed");
  try {
    return await searchMinutes(timed, trials, trials);
  } finally {
    await timed.close();
  }
}

export async function queueThroughput(trials = 24): Promise<QueueTiming> {
  await initBackend({ ...process.env, NASBOOK_BACKEND: "wasm" });
  const redis = await startRedisServer();
  const rows: QueueTiming["rows"] = [];
  try {
    for (const workers of [1, 2]) {
      // One pool for warm-up and clock: its threads stay warm, as a worker process's do.
      const pool = new WorkerPool<Json>(JOB, { workers, backend: "wasm", threads: 1 });
      const threadMinutes = await warmMinutes(() => ({ evaluate: (g, c) => pool.evaluate(g, c), close: async () => {} }), workers, trials);
      await pool.close();
      const processes = Array.from({ length: workers }, () =>
        spawn(process.execPath, [CLI, "worker", "--queue", redis.url, "--threads", "1"], { stdio: "ignore", env: { ...process.env, NASBOOK_BACKEND: "wasm" } }),
      );
      try {
        const config = (tag: string) => ({ bench: "queue-throughput", workers, tag });
        const queueMinutes = await warmMinutes((tag) => new QueuePool<Json>({ url: redis.url, config: config(tag), evaluation: JOB, backend: "wasm" }), workers, trials);
        rows.push({
          workers,
          threadsTrialsPerMinute: trials / threadMinutes,
          queueTrialsPerMinute: trials / queueMinutes,
          overheadSecondsPerTrial: ((queueMinutes - threadMinutes) * 60 * workers) / trials,
        });
      } finally {
        for (const child of processes) child.kill("SIGTERM");
      }
    }
  } finally {
    redis.process.kill("SIGTERM");
  }
  return { trials, rows };
}
