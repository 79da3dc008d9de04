/**
 * The Node half of bench/gpu-probe.sh: which of nasbook's tfjs routes start on this machine, and
 * the bench networks' training step on each one that does.
 *
 *   node build/bench/gpu-probe.js [--steps N] [--software] [--files FILE]
 *
 * Routes: `webgpu` on the GPU adapter (Dawn on Vulkan), `webgpu` on the software adapter (with
 * --software: Mesa's llvmpipe, to test the route on a CPU), and `wasm` with the native kernels (the
 * CPU figure beside them). Each route runs in a process of its own, since a process keeps its first
 * backend. A step is timed up to `await loss.data()`: a GPU backend queues work and returns at once.
 * --files writes every file the routes loaded (Node's require cache), which is what
 * bench/pack-gpu-probe.sh packs for a machine without Node.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { backendReport, initBackend } from "../lib/backend/select";
import { firstLine } from "../lib/core/env";
import { median } from "../lib/core/stats";
import { BENCH_NETWORKS, type BenchNetwork } from "./networks";

interface RouteResult {
  readonly route: string;
  readonly started: boolean;
  /** The backend report when it started, why not otherwise. */
  readonly detail: string;
  readonly msPerStep: Record<string, number | string>;
  readonly loadedFiles: string[];
}

const ROUTES: Record<string, Record<string, string>> = {
  "webgpu-gpu": { NASBOOK_BACKEND: "webgpu", NASBOOK_WEBGPU_ADAPTER: "gpu" },
  "webgpu-software": { NASBOOK_BACKEND: "webgpu", NASBOOK_WEBGPU_ADAPTER: "software" },
  wasm: { NASBOOK_BACKEND: "wasm" },
};

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}


/** Median milliseconds of an SGD step of `net`, synchronised by reading the loss. */
async function msPerStep(net: BenchNetwork, steps: number, warmup = 3): Promise<number> {
  const p = net.params();
  const [batch, h, w, c] = net.inputShape;
  const x = tf.randomNormal([batch, h, w, c], 0, 1, "float32", 7) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % net.classes), "int32"), net.classes);
  const optimizer = tf.train.sgd(0.01);
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const start = performance.now();
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, net.logits(x, p)) as tf.Scalar, true)!;
      await loss.data();
      loss.dispose();
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    optimizer.dispose();
    tf.dispose([x, labels, ...Object.values(p)]);
  }
  return median(times);
}

/** Runs in the child: start the route's backend, time every bench network. */
async function runRoute(route: string, steps: number): Promise<RouteResult> {
  const loadedFiles = () => Object.keys(require.cache);
  let detail: string;
  try {
    detail = backendReport(await initBackend({ ...process.env, ...ROUTES[route] }));
  } catch (error) {
    return { route, started: false, detail: firstLine(error), msPerStep: {}, loadedFiles: loadedFiles() };
  }
  const times: Record<string, number | string> = {};
  for (const net of BENCH_NETWORKS) {
    try {
      times[net.name] = await msPerStep(net, steps);
    } catch (error) {
      times[net.name] = `failed: ${firstLine(error)}`;
    }
  }
  return { route, started: true, detail, msPerStep: times, loadedFiles: loadedFiles() };
}

function inChild(route: string, steps: number): RouteResult {
  const run = spawnSync(process.execPath, [__filename, "--route", route, "--steps", String(steps)], { encoding: "utf8", timeout: 600_000 });
  const last = run.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as RouteResult;
  } catch {
    const why = (run.stderr || run.error?.message || `exit ${run.status}`).trim().split("\n").pop() ?? "";
    return { route, started: false, detail: `crashed: ${why}`, msPerStep: {}, loadedFiles: [] };
  }
}

async function main(): Promise<void> {
  const steps = Number(option("--steps") ?? 10);
  const route = option("--route");
  if (route !== undefined) {
    console.log(JSON.stringify(await runRoute(route, steps)));
    // Dawn's instance keeps the event loop alive (see the webgpu package's notes on lifetime).
    process.exit(0);
  }
  const routes = ["webgpu-gpu", ...(process.argv.includes("--software") ? ["webgpu-software"] : []), "wasm"];
  const results = routes.map((r) => inChild(r, steps));
  for (const r of results) {
    console.log(`\n## ${r.route}: ${r.started ? "started" : "did not start"}\n${r.detail}`);
    for (const [net, ms] of Object.entries(r.msPerStep)) {
      console.log(`  ${net.padEnd(18)} ${typeof ms === "number" ? `${ms.toFixed(1)} ms/step` : ms}`);
    }
  }
  const files = option("--files");
  if (files !== undefined) writeFileSync(files, [...new Set(results.flatMap((r) => r.loadedFiles))].sort().join("\n") + "\n");
  console.log(`\n${JSON.stringify(results.map(({ loadedFiles: _, ...r }) => r))}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
