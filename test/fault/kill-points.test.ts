/**
 * kill -9 at many points of every method's smoke search: at a seeded random moment, after the last
 * trial (inside the final test, before summary.json), and for one-shot methods inside the write of
 * their checkpoint (while its temporary file exists). After each kill the same command is run again;
 * it must finish and end exactly where an uninterrupted run of the same seed ends: the same trials,
 * summary and artifacts, timings aside, and no temporary file left. Where each kill landed is counted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Rng } from "../../lib/core/random";
import { killWhen } from "../unit/run-fixtures";
import { CLI, ENV, outcome, runCli, searchArgs, tempDir, trialLines } from "./cli-runs";
import { FaultTally } from "./fault-tally";

/** Each method's smoke search, and the checkpoint a one-shot one writes after every epoch. */
const METHODS: Array<{ method: string; checkpoint?: string; extra?: string[] }> = [
  { method: "random" },
  { method: "evolution" },
  { method: "nas-rl" },
  { method: "nasnet-ppo" },
  { method: "ppo", extra: ["--benchmark", "nb201-fashion-mnist", "--budget", "40"] },
  { method: "darts", checkpoint: "search-checkpoint.json" },
  { method: "gdas", checkpoint: "search-checkpoint.json" },
  { method: "enas", checkpoint: "checkpoint.json" },
  { method: "random-ws", checkpoint: "checkpoint.json" },
  { method: "enas-macro", checkpoint: "checkpoint.json" },
  { method: "smash", checkpoint: "hypernet-checkpoint.json" },
  { method: "smash-banks", checkpoint: "hypernet-checkpoint.json" },
];

const RANDOM_KILLS = 2;

/** Where a kill landed, read off the directory it left. */
function landing(dir: string, trials: number): string {
  if (!fs.existsSync(dir)) return "before the run directory";
  const names = fs.readdirSync(dir);
  if (names.some((n) => n.endsWith(".part"))) return "inside an atomic write";
  if (names.includes("summary.json")) return "after the summary";
  const file = path.join(dir, "trials.jsonl");
  if (fs.existsSync(file) && !fs.readFileSync(file, "utf8").endsWith("\n") && fs.statSync(file).size > 0) return "inside an append";
  const done = trialLines(dir);
  if (done === trials) return "after the last trial";
  return done === 0 ? "before the first trial" : "between trials";
}

function resumeAndCompare(args: string[], dir: string, expected: unknown): void {
  const resumed = runCli(args);
  assert.equal(resumed.status, 0, `the re-run failed: ${resumed.stderr}`);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith(".part")), [], "no temporary file left");
  assert.deepEqual(outcome(dir), expected, "the resumed run ends as the uninterrupted one");
}

test("kill -9 anywhere in a search: the re-run ends exactly where an uninterrupted run ends", { timeout: 900_000 }, async (t) => {
  const tally = new FaultTally("kill -9");
  const rng = new Rng(15);
  for (const { method, checkpoint, extra = [] } of METHODS) {
    const whole = tempDir();
    const started = performance.now();
    const full = runCli(searchArgs(method, whole, extra));
    assert.equal(full.status, 0, `${method}: ${full.stderr}`);
    const wall = performance.now() - started;
    const expected = outcome(whole);
    const trials = trialLines(whole);

    const points: Array<[string, (dir: string) => () => boolean]> = [];
    for (let k = 0; k < RANDOM_KILLS; k++) {
      const fraction = 0.3 + 0.7 * rng.next();
      points.push([`random ${k}`, () => {
        const at = performance.now() + fraction * wall;
        return () => performance.now() >= at;
      }]);
    }
    points.push(["after the last trial", (dir) => () => trialLines(dir) === trials]);
    if (checkpoint) points.push(["inside a checkpoint write", (dir) => () => fs.readdirSync(dir).some((n) => n.startsWith(`${checkpoint}.`) && n.endsWith(".part"))]);

    for (const [point, condition] of points) {
      const dir = tempDir();
      fs.rmSync(dir, { recursive: true });
      const args = searchArgs(method, dir, extra);
      await tally.check(`${method}, kill ${point}`, async () => {
        // Random moments are timed from the process's start.
        await killWhen(CLI, args, ENV, condition(dir), dir);
        const landed = landing(dir, trials);
        resumeAndCompare(args, dir, expected);
        return landed;
      });
    }
  }
  tally.report(t);
});
