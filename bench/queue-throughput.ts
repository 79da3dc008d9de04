/**
 * Trials per minute of the same small random search (parallel-search.ts's) evaluated by k
 * worker threads of this process and by k `nasbook worker` processes on a BullMQ queue over a
 * redis-server on loopback, k = 1 and 2, each training on one kernel thread: the difference is
 * what the queue costs per trial (a job's round trip through Redis, and the coordinator's
 * polling). Every evaluator is warmed (one trial per worker) before the clock runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { initBackend } from "../lib/backend/select";
import { Rng } from "../lib/core/random";
import type { Evaluator, Json } from "../lib/core/types";
import { QueuePool } from "../lib/experiment/queue/queue-pool";
import { checkRedis } from "../lib/experiment/queue/redis";
import { WorkerPool } from "../lib/experiment/worker-pool";
import { spaceFromSpec } from "../lib/spaces/registry";
import { JOB, searchMinutes } from "./parallel-search";

export interface QueueTiming {
  trials: number;
  rows: Array<{ workers: number; threadsTrialsPerMinute: number; queueTrialsPerMinute: number; overheadSecondsPerTrial: number }>;
}

const CLI = path.join(__dirname, "..", "lib", "cli", "main.js");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function startRedis(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await checkRedis(url);
      return { url, process: child };
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

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
  const redis = await startRedis();
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
