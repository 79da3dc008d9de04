/**
 * Searches through a BullMQ queue on a real redis-server (on a loopback port chosen here) with
 * two `nasbook worker` processes: the trials.jsonl must be a local run's, timing aside, when a
 * worker is killed mid-trial and when the coordinator is killed and run again.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startRedisServer, trialsWithoutTimings as withoutTiming } from "./run-fixtures";

const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
// Short locks, so that a killed worker's job is seen stalled within seconds.
const env = { ...process.env, NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm", NASBOOK_SCALE: "", NASBOOK_QUEUE_LOCK_MS: "2000", NASBOOK_QUEUE_STALLED_MS: "1000" };
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-queue-"));
const search = (out: string, ...more: string[]) => ["search", "--method", "random", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out, ...more];

/** A child process and everything it has written. */
class Child {
  text = "";
  readonly exited: Promise<number | null>;
  constructor(readonly process: ChildProcess) {
    for (const stream of [process.stdout, process.stderr]) stream?.on("data", (chunk) => (this.text += chunk.toString("utf8")));
    this.exited = new Promise((resolve) => process.on("exit", (code) => resolve(code)));
  }
  waitFor(pattern: RegExp, ms = 30_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const start = Date.now();
      const poll = setInterval(() => {
        const match = pattern.exec(this.text);
        if (match || Date.now() - start > ms) {
          clearInterval(poll);
          if (match) resolve(match);
          else reject(new Error(`no ${pattern} in ${ms} ms; output:\n${this.text}`));
        }
      }, 20);
    });
  }
  count(pattern: RegExp): number {
    return this.text.match(new RegExp(pattern.source, "g"))?.length ?? 0;
  }
}

const children: Child[] = [];
function start(command: string, args: string[]): Child {
  const child = new Child(spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] }));
  children.push(child);
  return child;
}

let url = "";
let expected: unknown[];

function flushRedis(): void {
  assert.equal(spawnSync("redis-cli", ["-p", new URL(url).port, "flushall"], { encoding: "utf8" }).stdout.trim(), "OK");
}

before(async () => {
  const redis = await startRedisServer();
  url = redis.url;
  children.push(new Child(redis.process));
  const local = tempDir();
  const run = spawnSync(process.execPath, [cli, ...search(local)], { env, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  expected = withoutTiming(local);
});

after(() => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
});

const worker = () => start(process.execPath, [cli, "worker", "--queue", url, "--concurrency", "1"]);

test("a worker killed mid-trial: its job stalls, is trained by the other worker, and recorded once; trials.jsonl is the local run's", async () => {
  const workers = [worker(), worker()];
  await Promise.all(workers.map((w) => w.waitFor(/worker on redis/)));
  const out = tempDir();
  const coordinator = start(process.execPath, [cli, ...search(out, "--queue", url)]);
  // The first worker to start a trial is killed while training it.
  const started = await Promise.race(workers.map((w, i) => w.waitFor(/trial (\d+) of run \w+: started/).then((m) => ({ i, trial: m[1] }))));
  workers[started.i].process.kill("SIGKILL");
  const other = workers[1 - started.i];
  assert.equal(await coordinator.exited, 0, coordinator.text);
  assert.equal(other.count(new RegExp(`trial ${started.trial} of run \\w+: started`)), 1, other.text);
  assert.deepEqual(withoutTiming(out), expected);
  other.process.kill("SIGTERM");
  assert.equal(await other.exited, 0, other.text);
});

test("the coordinator killed and re-run resumes from its run directory and takes the results that finished meanwhile", async () => {
  flushRedis();
  const workers = [worker(), worker()];
  await Promise.all(workers.map((w) => w.waitFor(/worker on redis/)));
  const out = tempDir();
  const first = start(process.execPath, [cli, ...search(out, "--queue", url)]);
  // Trials 2 and 3 are the second round: once one has started, both are on the queue.
  await Promise.race(workers.map((w) => w.waitFor(/trial 2 of run \w+: started/)));
  first.process.kill("SIGKILL");
  await first.exited;
  const done = (trial: number) => Promise.race(workers.map((w) => w.waitFor(new RegExp(`trial ${trial} of run \\w+: valid acc`))));
  await Promise.all([done(2), done(3)]);
  const again = start(process.execPath, [cli, ...search(out, "--queue", url)]);
  assert.equal(await again.exited, 0, again.text);
  assert.deepEqual(withoutTiming(out), expected);
  for (const trial of [0, 1, 2, 3]) {
    const starts = workers.reduce((n, w) => n + w.count(new RegExp(`trial ${trial} of run \\w+: started`)), 0);
    assert.equal(starts, 1, `trial ${trial} trained once`);
  }
  for (const w of workers) w.process.kill("SIGTERM");
  for (const w of workers) assert.equal(await w.exited, 0, w.text);
});

test("an unreachable Redis is one clear error, and nothing is recorded", () => {
  const out = tempDir();
  const run = spawnSync(process.execPath, [cli, ...search(out, "--queue", "redis://127.0.0.1:9")], { env, encoding: "utf8" });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /Cannot reach Redis at redis:\/\/127\.0\.0\.1:9 \(connect ECONNREFUSED/);
  assert.equal(fs.existsSync(path.join(out, "trials.jsonl")), false);
  const lone = spawnSync(process.execPath, [cli, "worker", "--queue", "redis://127.0.0.1:9"], { env, encoding: "utf8" });
  assert.equal(lone.status, 1);
  assert.match(lone.stderr, /Cannot reach Redis/);
});
