/**
 * Threaded wasm in Node: XNNPACK really runs on 2 threads, a training step gives what
 * single-threaded wasm gives, and a failed start leaves single-threaded wasm usable.
 * The wasm backend initialises once per process, so each case runs in a child process: this
 * file itself, with NASBOOK_WASM_THREADS_CASE naming the case.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as tf from "@tensorflow/tfjs";
import workerThreads = require("worker_threads");
import { setThreadedWasmBackend } from "../../lib/backend/wasm-threads";
import { registerWasmTrainingKernels } from "../../lib/backend/wasm-training";

type Case = "single" | "threaded" | "failing-worker";
interface CaseResult {
  threads: number;
  failure: string | null;
  params: number[][];
}

/** Two SGD steps of a small CNN with every kernel of the reference CNN's step. */
function trainedParams(): number[][] {
  const v = (shape: number[], seed: number) => tf.variable(tf.randomNormal(shape, 0, 0.2, "float32", seed));
  const p = [v([3, 3, 3, 16], 1), v([3, 3, 16, 32], 2), v([32, 10], 3)];
  const x = tf.randomNormal([16, 20, 20, 3], 0, 1, "float32", 4);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), "int32"), 10);
  const optimizer = tf.train.sgd(0.1);
  for (let i = 0; i < 2; i++) {
    optimizer.minimize(() => {
      let h = tf.relu(tf.conv2d(x as tf.Tensor4D, p[0] as tf.Tensor4D, 1, "same"));
      h = tf.maxPool(h, 2, 2, "valid");
      h = tf.relu(tf.conv2d(h, p[1] as tf.Tensor4D, 1, "same"));
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.mean(h, [1, 2]), p[2])) as tf.Scalar;
    });
  }
  return p.map((t) => Array.from(t.dataSync()));
}

async function runCase(which: Case): Promise<CaseResult> {
  require("@tensorflow/tfjs-backend-wasm");
  let threads = 1;
  let failure: string | null = null;
  if (which === "failing-worker") {
    // A worker whose script throws, as the blob-URL workers did before: the start must fail
    // with the reason, not kill the process.
    const NodeWorker = workerThreads.Worker;
    (workerThreads as { Worker: typeof NodeWorker }).Worker = class extends NodeWorker {
      constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
        super(options?.eval ? 'throw new Error("injected worker failure")' : filename, options);
      }
    };
  }
  if (which !== "single") {
    try {
      threads = await setThreadedWasmBackend(2);
    } catch (error) {
      failure = String(error instanceof Error ? error.message : error);
    }
  }
  if (which === "single" || failure !== null) {
    assert.ok(await tf.setBackend("wasm"), "single-threaded wasm starts");
    threads = (tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm.tfjs.getThreadsCount();
  }
  // XNNPACK's own threads are under test here, not the native addon.
  registerWasmTrainingKernels(null);
  return { threads, failure, params: trainedParams() };
}

async function inChild(which: Case): Promise<CaseResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [__filename], {
    env: { ...process.env, NASBOOK_WASM_THREADS_CASE: which },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as CaseResult;
}

const childCase = process.env.NASBOOK_WASM_THREADS_CASE as Case | undefined;
if (childCase) {
  runCase(childCase).then(
    (result) => {
      console.log(JSON.stringify(result));
      // The pthread workers are unref'd but XNNPACK's pool is not torn down: exit explicitly.
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  test("threaded wasm trains on 2 threads and matches single-threaded wasm", async () => {
    const [single, threaded] = await Promise.all([inChild("single"), inChild("threaded")]);
    assert.equal(threaded.failure, null);
    assert.equal(single.threads, 1);
    assert.equal(threaded.threads, 2, "XNNPACK's thread count");
    single.params.forEach((expected, i) => {
      const maxDiff = Math.max(...expected.map((e, j) => Math.abs(e - threaded.params[i][j])));
      assert.ok(maxDiff < 1e-5, `parameter ${i}: max |single - threaded| = ${maxDiff}`);
    });
  });

  test("a threaded start whose workers fail says why and leaves single-threaded wasm working", async () => {
    const [single, failed] = await Promise.all([inChild("single"), inChild("failing-worker")]);
    assert.match(failed.failure ?? "", /pthread worker failed: injected worker failure/);
    assert.equal(failed.threads, 1);
    assert.deepEqual(failed.params, single.params);
  });

  test("thread counts outside 2..8 are refused before anything starts", async () => {
    await assert.rejects(setThreadedWasmBackend(1), /2 to 8 threads/);
    await assert.rejects(setThreadedWasmBackend(9), /2 to 8 threads/);
  });
}
