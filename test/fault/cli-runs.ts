/**
 * What the fault suite does to real `nasbook search` processes: run one to the end, or start one
 * and SIGKILL it at a chosen moment; and what a run directory ended with, timings aside, so that
 * a killed-and-resumed run can be compared with an uninterrupted one.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { trialsWithoutTimings } from "../unit/run-fixtures";

export const CLI = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
export const ENV = { ...process.env, NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm", NASBOOK_SCALE: "" };

export const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-fault-"));

/** A smoke search on Fashion-MNIST, or against a benchmark table when `extra` names one. */
export function searchArgs(method: string, out: string, extra: readonly string[] = []): string[] {
  const data = extra.includes("--benchmark") ? [] : ["--dataset", "fashion-mnist"];
  return ["search", "--method", method, ...data, "--scale", "smoke", "--seed", "1", "--out", out, ...extra];
}

export function runCli(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { env: ENV, encoding: "utf8" });
}

/** Starts the CLI and resolves with its exit code (null when killed) and stderr. */
export function startCli(args: readonly string[]): { kill(): void; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: ENV, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    child.on("exit", (code) => resolve({ code, stderr }));
    child.on("error", reject);
  });
  return { kill: () => child.kill("SIGKILL"), exited };
}

/** Whole lines of trials.jsonl (a torn last line is not one). */
export function trialLines(dir: string): number {
  const file = path.join(dir, "trials.jsonl");
  if (!fs.existsSync(file)) return 0;
  return fs.readFileSync(file, "utf8").split("\n").length - 1;
}

const TIMINGS = new Set(["seconds", "wallSeconds", "trainSeconds", "scoreSeconds", "latencyMs", "startedAt", "finishedAt", "secondsPerEpoch"]);

function withoutTimings(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) => (TIMINGS.has(key) ? undefined : v));
}

/** A finished run as it compares: trials, summary and every JSON artifact but the checkpoints, timings removed. */
export function outcome(dir: string): Record<string, unknown> {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "config.json" && !/checkpoint/.test(f));
  const artifacts = Object.fromEntries(files.sort().map((f) => [f, withoutTimings(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")))]));
  return { trials: trialsWithoutTimings(dir), ...artifacts };
}

/** Copies a run directory (a test damages the copy). */
export function copyRun(from: string): string {
  const to = tempDir();
  fs.cpSync(from, to, { recursive: true });
  return to;
}
