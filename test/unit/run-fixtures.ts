/** Helpers of the tests (and benchmarks) that run searches: trials compared without timings, a redis-server of their own. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { checkRedis } from "../../lib/experiment/queue/redis";

/** A run directory's trials.jsonl with the timings (which differ from run to run) removed. */
export function trialsWithoutTimings(dir: string): unknown[] {
  const lines = fs.readFileSync(path.join(dir, "trials.jsonl"), "utf8").split("\n").filter((l) => l.trim() !== "");
  return lines.map((line) => {
    const { seconds: _seconds, ...record } = JSON.parse(line);
    if (record.metrics) {
      const { trainSeconds: _train, latencyMs: _latency, ...metrics } = record.metrics;
      record.metrics = metrics;
    }
    return record;
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function cannotRun(error: NodeJS.ErrnoException): string {
  return `redis-server could not be run (${error.code}): install it (Debian: apt-get install redis-server) or put it on PATH`;
}

/** Why no redis-server can be started here (it is not on PATH), or null when one can. */
export function redisServerMissing(): string | null {
  const probe = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  return probe.error ? cannotRun(probe.error) : null;
}

/** A redis-server on a free loopback port, keeping nothing on disk; resolves once it answers. Kill `process` when done. */
export async function startRedisServer(): Promise<{ url: string; port: number; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  // Without a listener a failed spawn (no redis-server on PATH) is an uncaught 'error' event.
  let failed: NodeJS.ErrnoException | null = null;
  child.once("error", (error) => (failed = error));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (failed) throw new Error(cannotRun(failed));
    try {
      await checkRedis(url);
      return { url, port, process: child };
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Runs the CLI and SIGKILLs it as soon as `due` holds: polled every 2 ms and, once the folder
 * `watch` exists, on every change in it, so that a short-lived state (a temporary file) is caught.
 * `due` may throw while the run directory is not there yet: that counts as not due.
 */
export async function killWhen(cli: string, args: readonly string[], env: NodeJS.ProcessEnv, due: () => boolean, watch?: string): Promise<void> {
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: "ignore" });
  const test = () => {
    try {
      if (due()) child.kill("SIGKILL");
    } catch {
      // Not there yet.
    }
  };
  let watcher: fs.FSWatcher | undefined;
  const poll = setInterval(() => {
    test();
    if (watch && !watcher && fs.existsSync(watch)) watcher = fs.watch(watch, test);
  }, 2);
  try {
    await new Promise<void>((resolve, reject) => {
      child.on("exit", () => resolve());
      child.on("error", reject);
    });
  } finally {
    clearInterval(poll);
    watcher?.close();
  }
}
