/**
 * Parallel candidates: a search evaluated by k = 2 worker threads writes the same trials as the
 * serial in-process search of the same seed and round size; workers train on the parent's
 * shared splits without loading the dataset; failures inside workers become failed records; the parent allocates no tensors; a round is a work queue.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import type { Json, TrialRecord } from "../../lib/core/types";
import { loadDataset, SealedTest, shareSplits, type DataSplits } from "../../lib/data";
import { TrainFromScratch } from "../../lib/evaluators/train-from-scratch";
import { runMultiTrialSearch, type MultiTrialSearchOptions } from "../../lib/experiment/multi-trial-search";
import { searchEvaluator } from "../../lib/experiment/multi-trial";
import { threadsPerWorker, WorkerPool, type EvaluationJob } from "../../lib/experiment/worker-pool";
import { spaceFromSpec, type SpaceSpec } from "../../lib/spaces/registry";
import { RunStore } from "../../lib/store/run-store";
import { RegularizedEvolution } from "../../lib/strategies/regularized-evolution";
import { trialsWithoutTimings } from "./run-fixtures";
import { tinySubset } from "./supernet-fixtures";

const BACKEND = "wasm";
const spec: SpaceSpec = { kind: "macro-cnn", options: { minLayers: 1, maxLayers: 2, kernels: [1, 3], filters: [4, 8] } };
const job: EvaluationJob = {
  space: spec,
  dataset: "fashion-mnist",
  data: { seed: 0, trainSize: 100, validSize: 50, testSize: 10 },
  fidelity: { epochs: 1, batchSize: 50 },
};
const config = { method: "evolution", dataset: "fashion-mnist", scale: "smoke" as const, seed: 4 };
const tempStore = () => RunStore.open(fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-parallel-")), config);

type SearchSetup = Pick<MultiTrialSearchOptions<Json>, "evaluator" | "store" | "budget" | "round">;

function search(setup: SearchSetup): Promise<TrialRecord<Json>[]> {
  const space = spaceFromSpec(spec);
  const strategy = new RegularizedEvolution(space, { populationSize: 2, sampleSize: 2 }, config.seed);
  return runMultiTrialSearch({ space, strategy, seed: config.seed, ...setup });
}

async function serialEvaluator() {
  await initBackend({ NASBOOK_BACKEND: BACKEND });
  const splits = await loadDataset(job.dataset, job.data);
  return new TrainFromScratch(spaceFromSpec(spec), splits, job.fidelity);
}

test("two workers write the same trials as the serial search, and the parent allocates no tensors", async () => {
  const serialStore = tempStore();
  await search({ evaluator: await serialEvaluator(), store: serialStore, budget: 6, round: 2 });
  const tensors = tf.memory().numTensors;
  const pool = new WorkerPool(job, { workers: 2, backend: BACKEND });
  const parallelStore = tempStore();
  try {
    await search({ evaluator: pool, store: parallelStore, budget: 6, round: 2 });
  } finally {
    await pool.close();
  }
  assert.equal(tf.memory().numTensors, tensors);
  const serial = trialsWithoutTimings(serialStore.dir);
  assert.equal(serial.length, 6);
  assert.ok(serial.some((t) => (t as TrialRecord).status === "ok"));
  assert.deepEqual(trialsWithoutTimings(parallelStore.dir), serial);
});

test("a run stopped inside a round resumes to the trials of an uninterrupted run", async () => {
  const evaluator = await serialEvaluator();
  const uninterrupted = tempStore();
  await search({ evaluator, store: uninterrupted, budget: 4, round: 3 });
  const resumed = tempStore();
  await search({ evaluator, store: resumed, budget: 2, round: 3 });
  const pool = new WorkerPool(job, { workers: 2, backend: BACKEND });
  try {
    await search({ evaluator: pool, store: RunStore.open(resumed.dir, config), budget: 4, round: 3 });
  } finally {
    await pool.close();
  }
  assert.deepEqual(trialsWithoutTimings(resumed.dir), trialsWithoutTimings(uninterrupted.dir));
});

test("an evaluation that throws in a worker is a failed trial, and the search goes on", async () => {
  const diverging: EvaluationJob = { ...job, fidelity: { epochs: 2, batchSize: 25 }, hyperparameters: { learningRate: 1e30 } };
  const pool = new WorkerPool(diverging, { workers: 2, backend: BACKEND });
  try {
    const trials = await search({ evaluator: pool, store: tempStore(), budget: 3, round: 2 });
    assert.deepEqual(trials.map((t) => t.status), ["failed", "failed", "failed"]);
    assert.match(trials[0].error ?? "", /diverged/);
  } finally {
    await pool.close();
  }
});

test("a worker that cannot start fails its trials with the reason", async () => {
  const pool = new WorkerPool({ ...job, space: { kind: "no-such-space", options: {} } }, { workers: 2, backend: BACKEND });
  try {
    const trials = await search({ evaluator: pool, store: tempStore(), budget: 2, round: 2 });
    assert.deepEqual(trials.map((t) => t.status), ["failed", "failed"]);
    assert.match(trials[1].error ?? "", /Unknown search space "no-such-space"/);
  } finally {
    await pool.close();
  }
});

test("a worker that runs out of memory fails its trial and is replaced for the next", async () => {
  const pool = new WorkerPool(job, { workers: 1, backend: BACKEND, resourceLimits: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 } });
  try {
    const trials = await search({ evaluator: pool, store: tempStore(), budget: 2, round: 2 });
    assert.deepEqual(trials.map((t) => t.status), ["failed", "failed"]);
    for (const trial of trials) assert.match(trial.error ?? "", /evaluation worker crashed: .*memory/);
  } finally {
    await pool.close();
  }
});

test("a candidate that exhausts wasm memory fails alone: its worker is replaced and the next candidates train", async () => {
  // Two 1x1 convolutions to 2,048 channels on 256 28x28 images: 1.6 GB per activation, past wasm's 4 GB heap in the first layer's ops.
  const huge: EvaluationJob = { ...job, space: { kind: "macro-cnn", options: { minLayers: 1, maxLayers: 2, kernels: [1, 3], filters: [4, 2048] } }, data: { ...job.data, trainSize: 256 }, fidelity: { epochs: 1, batchSize: 256 } };
  const pool = new WorkerPool(huge, { workers: 1, backend: BACKEND });
  const small = { layers: [{ kernel: 3, filters: 4, pool: "max" }] };
  try {
    await assert.rejects(pool.evaluate({ layers: [1, 2].map(() => ({ kernel: 1, filters: 2048, pool: "none" })) }, { seed: 1 }), /(memory access out of bounds|wasm's memory is exhausted).* \(its worker was replaced\)/);
    for (const seed of [1, 2]) assert.ok((await pool.evaluate(small, { seed })).validAccuracy >= 0, "a later candidate trains on a fresh worker");
  } finally {
    await pool.close();
  }
});

test("with one worker the search still trains in a worker (all the cores' kernel threads), with the in-process evaluator's results", async () => {
  const local = await serialEvaluator();
  const { evaluator, close } = searchEvaluator(local, job, { NASBOOK_WORKERS: "1" });
  try {
    assert.ok(evaluator instanceof WorkerPool && evaluator.concurrency === 1);
    const genotype = { layers: [{ kernel: 3, filters: 4, pool: "max" }] };
    const [inWorker, inProcess] = [await evaluator.evaluate(genotype, { seed: 3 }), await local.evaluate(genotype, { seed: 3 })];
    assert.deepEqual(inWorker.validAccuracyHistory, inProcess.validAccuracyHistory);
  } finally {
    await close();
  }
});

test("workers share the cores out unless NASBOOK_NATIVE_THREADS names their kernel threads", () => {
  const cores = os.availableParallelism();
  assert.equal(threadsPerWorker(1, {}), cores);
  assert.equal(threadsPerWorker(cores, {}), 1);
  assert.equal(threadsPerWorker(2 * cores, { NASBOOK_NATIVE_THREADS: "" }), 1);
  assert.equal(threadsPerWorker(1, { NASBOOK_NATIVE_THREADS: "1" }), 1);
  assert.equal(threadsPerWorker(cores, { NASBOOK_NATIVE_THREADS: "3" }), 3);
  assert.throws(() => threadsPerWorker(1, { NASBOOK_NATIVE_THREADS: "two" }), /NASBOOK_NATIVE_THREADS must be an integer from 1 to 64; got "two"/);
});

test("a round is a work queue: while one slow candidate trains, the other lane takes all the rest", async () => {
  const space = spaceFromSpec(spec);
  const strategy = new RegularizedEvolution(space, { populationSize: 2, sampleSize: 2 }, config.seed);
  const starts: number[] = [];
  const metrics = { validAccuracy: 0.5, validAccuracyHistory: [0.5], params: 1, flops: 1, latencyMs: 1, trainSeconds: 0 };
  // Two lanes; the first evaluation to start takes 300 ms, every other one 5 ms.
  const evaluator = {
    concurrency: 2,
    evaluate: async () => {
      starts.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, starts.length === 1 ? 300 : 5));
      return metrics;
    },
  };
  const store = tempStore();
  const records = await runMultiTrialSearch({ space, strategy, seed: config.seed, evaluator, store, budget: 6, round: 6 });
  assert.deepEqual(records.map((r) => r.id), [0, 1, 2, 3, 4, 5], "trials are still told and stored in id order");
  assert.equal(starts.length, 6);
  assert.ok(starts[5] - starts[0] < 300, `every other candidate started while the slow one ran (last start after ${(starts[5] - starts[0]).toFixed(0)} ms)`);
});

test("workers train on the parent's shared splits, to the in-process result, without reading the dataset", async () => {
  await initBackend({ NASBOOK_BACKEND: BACKEND });
  const [train, valid] = [tinySubset(60, 1), tinySubset(30, 2)];
  const splits: DataSplits = { info: train.info, train, valid, test: new SealedTest(train.info, 0, () => valid) };
  const tiny: EvaluationJob = { ...job, space: { kind: "macro-cnn", options: { minLayers: 1, maxLayers: 1, kernels: [3], filters: [4] } }, fidelity: { epochs: 2, batchSize: 10 } };
  const genotype = { layers: [{ kernel: 3, filters: 4, pool: "max" }] };
  const local = await new TrainFromScratch(spaceFromSpec(tiny.space), splits, tiny.fidelity).evaluate(genotype, { seed: 5 });
  // The job names CIFAR-10 with nowhere to find or fetch it: a worker that loaded its dataset would fail.
  const unloadable: EvaluationJob = { ...tiny, dataset: "cifar10" };
  const saved = { data: process.env.NASBOOK_DATA, url: process.env.NASBOOK_CIFAR10_URL };
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-no-data-"));
  process.env.NASBOOK_DATA = empty;
  process.env.NASBOOK_CIFAR10_URL = "http://127.0.0.1:9/cifar-10-binary.tar.gz";
  const shared = new WorkerPool(unloadable, { workers: 1, backend: BACKEND, splits: shareSplits(splits) });
  const loading = new WorkerPool(unloadable, { workers: 1, backend: BACKEND });
  try {
    const inWorker = await shared.evaluate(genotype, { seed: 5 });
    assert.deepEqual(inWorker.validAccuracyHistory, local.validAccuracyHistory);
    assert.equal(inWorker.params, local.params);
    await assert.rejects(loading.evaluate(genotype, { seed: 5 }), /CIFAR-10 is not in .* could not be fetched/);
  } finally {
    await Promise.all([shared.close(), loading.close()]);
    process.env.NASBOOK_DATA = saved.data;
    process.env.NASBOOK_CIFAR10_URL = saved.url;
    if (saved.data === undefined) delete process.env.NASBOOK_DATA;
    if (saved.url === undefined) delete process.env.NASBOOK_CIFAR10_URL;
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
