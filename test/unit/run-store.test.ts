import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunStoreError } from "../../lib/core/errors";
import { temporaryPath } from "../../lib/core/atomic-files";
import { canonicalJson } from "../../lib/core/json";
import { RunStore, type RunConfig } from "../../lib/store/run-store";

const config: RunConfig = { method: "random", dataset: "fashion-mnist", scale: "smoke", seed: 1, budget: 4 };
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-store-"));
const metrics = { validAccuracy: 0.5, validAccuracyHistory: [0.5], params: 10, flops: 20, latencyMs: 1, trainSeconds: 1 };
const record = (id: number) => ({ id, genotype: { layers: [] }, status: "ok" as const, metrics, seconds: 1 });

test("a new run writes config.json; reopening with the same config resumes its trials", () => {
  const dir = tempDir();
  const store = RunStore.open(dir, config);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")), config);
  store.append(record(0));
  store.append(record(1));
  const reopened = RunStore.open(dir, { ...config });
  assert.deepEqual(reopened.trials().map((t) => t.id), [0, 1]);
});

test("another config is refused, naming what differs, and nothing is touched", () => {
  const dir = tempDir();
  RunStore.open(dir, config).append(record(0));
  const before = fs.readFileSync(path.join(dir, "trials.jsonl"), "utf8");
  assert.throws(
    () => RunStore.open(dir, { ...config, seed: 2 }),
    (e: unknown) => e instanceof RunStoreError && /seed: stored 1, asked 2/.test(e.message) && /--out/.test(e.message),
  );
  assert.equal(fs.readFileSync(path.join(dir, "trials.jsonl"), "utf8"), before);
});

test("a torn last line (killed mid-append) is dropped; a bad line in the middle is an error", () => {
  const dir = tempDir();
  const store = RunStore.open(dir, config);
  store.append(record(0));
  fs.appendFileSync(store.path("trials.jsonl"), '{"id": 1, "geno');
  assert.deepEqual(store.trials().map((t) => t.id), [0]);
  store.append(record(1));
  assert.deepEqual(store.trials().map((t) => t.id), [0, 1]);
  fs.writeFileSync(store.path("trials.jsonl"), `${JSON.stringify(record(0))}\nnot json\n${JSON.stringify(record(1))}\n`);
  assert.throws(() => store.trials(), /line 2/);
});

test("artifacts and summaries are written whole", () => {
  const dir = tempDir();
  const store = RunStore.open(dir, config);
  store.writeArtifact("alphas.json", { normal: [[0.5, 0.5]] });
  assert.deepEqual(JSON.parse(fs.readFileSync(store.path("alphas.json"), "utf8")), { normal: [[0.5, 0.5]] });
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".part")), []);
});

test("reopening removes what an atomic write killed mid-way left (its .part file), and keeps everything else", () => {
  const dir = tempDir();
  const store = RunStore.open(dir, config);
  store.append(record(0));
  // The temporary sibling a write of summary.json makes, cut short as a kill -9 leaves it.
  const orphan = temporaryPath(store.path("summary.json"));
  fs.writeFileSync(orphan, '{"method": "ran');
  RunStore.open(dir, config);
  assert.equal(fs.existsSync(orphan), false);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "lock", "trials.jsonl"]);
  assert.equal(RunStore.open(dir, config).trials().length, 1);
});

test("canonical JSON ignores key order", () => {
  assert.equal(canonicalJson({ a: 1, b: [1, { c: 2, d: 3 }] }), canonicalJson({ b: [1, { d: 3, c: 2 }], a: 1 }));
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: 2 }));
});

test("replayed lines are checked field by field; only a last line with no newline after it is a torn write", () => {
  const dir = tempDir();
  const store = RunStore.open(dir, config);
  const file = store.path("trials.jsonl");
  const cases: Array<[string, RegExp]> = [
    ["null", /line 2: the line must be a JSON object/],
    [JSON.stringify({ ...record(1), metrics: { ...metrics, validAccuracy: "0.9" } }), /line 2: metrics\.validAccuracy must be a number in \[0, 1\], got "0\.9"/],
    [JSON.stringify({ ...record(1), metrics: { ...metrics, validAccuracy: 99 } }), /line 2: metrics\.validAccuracy must be a number in \[0, 1\], got 99/],
    [JSON.stringify({ ...record(1), status: "done" }), /line 2: status must be "ok" or "failed"/],
    [JSON.stringify({ id: 1, genotype: {}, status: "failed", seconds: 1 }), /line 2: error must be a string for a failed trial/],
    ["garbage", /line 2, is not valid JSON/],
  ];
  for (const [line, message] of cases) {
    fs.writeFileSync(file, `${JSON.stringify(record(0))}\n${line}\n`);
    assert.throws(() => store.trials(), (e: unknown) => e instanceof RunStoreError && message.test(e.message) && e.message.includes(file), line);
    assert.equal(fs.readFileSync(file, "utf8"), `${JSON.stringify(record(0))}\n${line}\n`, "nothing is rewritten");
  }
  fs.writeFileSync(file, `${JSON.stringify(record(0))}\n{"id": 1, "gen`);
  assert.deepEqual(store.trials().map((t) => t.id), [0]);
});
