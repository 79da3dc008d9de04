/**
 * Damaged run directories and two writers at once, through the CLI. A damaged file is refused in
 * one paragraph naming the file (and line and field) and what to do, exit 1, no stack trace, and
 * the directory is left byte for byte as it was; what is a killed write's leftover (a torn last
 * line, a temporary file, a dead process's lock) is repaired and the run ends as an uninterrupted
 * one. Of two processes started together on one --out, one writes and the other is refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { copyRun, outcome, runCli, searchArgs, startCli, tempDir } from "./cli-runs";
import { FaultTally } from "./fault-tally";

/** Every file of a directory with its bytes, to prove a refusal touched nothing. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), "base64")]));
}

function editLines(file: string, edit: (lines: string[]) => string[]): void {
  fs.writeFileSync(file, edit(fs.readFileSync(file, "utf8").split("\n")).join("\n"));
}

function editJsonLine(file: string, index: number, edit: (record: Record<string, any>) => void): void {
  editLines(file, (lines) => {
    const record = JSON.parse(lines[index]);
    edit(record);
    lines[index] = JSON.stringify(record);
    return lines;
  });
}

type Damage = {
  name: string;
  method: string;
  /** Damage a finished run (with its summary), not one whose trials are done but not summarised. */
  finished?: true;
  damage(dir: string): void;
} & ({ refused: RegExp } | { repaired: true });

/** A finished run with its summary (and report) removed: what a run killed before its end looks like, trials all done. */
function unfinished(from: string): string {
  const dir = copyRun(from);
  for (const f of ["summary.json", "report.html"]) fs.rmSync(path.join(dir, f), { force: true });
  return dir;
}

/** A lock left by a process that is gone (a pid above Linux's default pid_max). */
const deadLock = (dir: string) => fs.writeFileSync(path.join(dir, "lock"), JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname(), startedAt: "2026-01-01T00:00:00Z" }));

const DAMAGES: Damage[] = [
  { name: "a trial line that is null", method: "random", damage: (d) => editLines(path.join(d, "trials.jsonl"), (l) => ((l[1] = "null"), l)), refused: /trials\.jsonl, line 2/ },
  { name: "a string accuracy", method: "random", damage: (d) => editJsonLine(path.join(d, "trials.jsonl"), 1, (r) => (r.metrics.validAccuracy = "0.5")), refused: /trials\.jsonl, line 2.*validAccuracy/ },
  { name: "an accuracy of 99", method: "random", damage: (d) => editJsonLine(path.join(d, "trials.jsonl"), 2, (r) => (r.metrics.validAccuracy = 99)), refused: /trials\.jsonl, line 3.*validAccuracy/ },
  { name: "garbage in the middle", method: "random", damage: (d) => editLines(path.join(d, "trials.jsonl"), (l) => ((l[1] = l[1].slice(0, 20)), l)), refused: /trials\.jsonl, line 2/ },
  { name: "a garbage last line with its newline", method: "random", damage: (d) => editLines(path.join(d, "trials.jsonl"), (l) => [...l.slice(0, -1), "{\"id\": 4, \"geno", ""]), refused: /trials\.jsonl, line 5/ },
  { name: "a genotype the space refuses", method: "random", damage: (d) => editJsonLine(path.join(d, "trials.jsonl"), 0, (r) => (r.genotype.layers[0].kernel = 4)), refused: /trials\.jsonl, line 1.*kernel/ },
  { name: "another seed in config.json", method: "random", damage: (d) => editConfig(d, (c) => (c.seed = 2)), refused: /another configuration \(seed: stored 2, asked 1\)/ },
  { name: "config.json not JSON", method: "random", damage: (d) => fs.writeFileSync(path.join(d, "config.json"), "{ method: random"), refused: /config\.json/ },
  { name: "summary.json not JSON", method: "random", finished: true, damage: (d) => fs.writeFileSync(path.join(d, "summary.json"), "{\"method\": "), refused: /summary\.json/ },
  { name: "a checkpoint with a bad field", method: "darts", damage: (d) => editCheckpoint(d, (c) => (c.epochsDone = -1)), refused: /search-checkpoint\.json: `epochsDone`/ },
  { name: "a checkpoint with a tensor of another shape", method: "darts", damage: (d) => editCheckpoint(d, (c) => (c.variables[0].shape = [1, 2, 3])), refused: /search-checkpoint\.json.*variables\[0\]: shape \[1,2,3\]/ },
  { name: "a torn last line (killed mid-append)", method: "random", damage: (d) => editLines(path.join(d, "trials.jsonl"), (l) => [...l.slice(0, -2), l[l.length - 2].slice(0, 30)]), repaired: true },
  { name: "temporary files of killed atomic writes", method: "random", damage: (d) => ["summary.json.1-ab.part", "trials.jsonl.2-cd.part"].forEach((f) => fs.writeFileSync(path.join(d, f), "{\"half")), repaired: true },
  { name: "a dead process's lock", method: "random", damage: (d) => deadLock(d), repaired: true },
  { name: "a torn lock file", method: "random", damage: (d) => fs.writeFileSync(path.join(d, "lock"), "{\"pid\": 12"), repaired: true },
];

function editJsonFile(file: string, edit: (value: Record<string, any>) => void): void {
  const value = JSON.parse(fs.readFileSync(file, "utf8"));
  edit(value);
  fs.writeFileSync(file, JSON.stringify(value));
}

/** A DARTS run killed after its last search epoch, before its cell's trial: the checkpoint is what resumes it. */
function editCheckpoint(dir: string, edit: (checkpoint: Record<string, any>) => void): void {
  fs.rmSync(path.join(dir, "trials.jsonl"));
  editJsonFile(path.join(dir, "search-checkpoint.json"), edit);
}

function editConfig(dir: string, edit: (config: Record<string, any>) => void): void {
  editJsonFile(path.join(dir, "config.json"), edit);
}

test("damaged run directories: refused naming the file and touching nothing, or repaired to the uninterrupted result", { timeout: 600_000 }, async (t) => {
  const tally = new FaultTally("damaged run directory");
  const finished = new Map<string, { dir: string; expected: unknown }>();
  for (const method of new Set(DAMAGES.map((d) => d.method))) {
    const dir = tempDir();
    const run = runCli(searchArgs(method, dir));
    assert.equal(run.status, 0, `${method}: ${run.stderr}`);
    finished.set(method, { dir, expected: outcome(dir) });
  }
  for (const damage of DAMAGES) {
    await tally.check(damage.name, () => {
      const reference = finished.get(damage.method)!;
      const dir = damage.finished ? copyRun(reference.dir) : unfinished(reference.dir);
      damage.damage(dir);
      const before = snapshot(dir);
      const run = runCli(searchArgs(damage.method, dir));
      if ("refused" in damage) {
        assert.equal(run.status, 1, `exit 1, got ${run.status}: ${run.stderr}`);
        assert.match(run.stderr, damage.refused);
        assert.match(run.stderr, new RegExp(`nasbook: ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), "the message names the path");
        assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, "no stack trace");
        assert.deepEqual(snapshot(dir), before, "the directory is left as it was");
        return "refused";
      }
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(outcome(dir), reference.expected);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".part")), []);
      return "repaired";
    });
  }
  tally.report(t);
});

/**
 * Pairs of processes started at the same instant on one --out, on a fresh directory, and on one
 * holding a dead process's lock that both try to take over: one writes, the other is refused.
 */
test("two processes started together on one --out, fresh or on a stale lock: one writes the run, the other is refused at once", { timeout: 420_000 }, async (t) => {
  const reference = tempDir();
  assert.equal(runCli(searchArgs("random", reference)).status, 0);
  const expected = outcome(reference);
  for (const [category, prepare] of [["two writers", (dir: string) => fs.rmSync(dir, { recursive: true })], ["two writers on a stale lock", deadLock]] as const) {
    const tally = new FaultTally(category);
    for (let pair = 0; pair < 6; pair++) await tally.check(`pair ${pair}`, () => racePair(prepare, expected));
    tally.report(t);
  }
});

/** Starts two writers on one directory at once: exactly one writes the run, the other is refused. */
async function racePair(prepare: (dir: string) => void, expected: ReturnType<typeof outcome>): Promise<string> {
  const dir = tempDir();
  prepare(dir);
  const results = await Promise.all([startCli(searchArgs("random", dir)).exited, startCli(searchArgs("random", dir)).exited]);
  const codes = results.map((r) => r.code).sort();
  assert.deepEqual(codes, [0, 1], `exit codes ${codes}: ${results.map((r) => r.stderr).join("\n")}`);
  assert.match(results.find((r) => r.code === 1)!.stderr, /is being written by process \d+ .*one run directory has one writer/);
  assert.deepEqual(outcome(dir), expected, "the run is written once, as a single writer writes it");
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith("lock")), [], "no lock or lock temporary is left");
  return "clean";
}
