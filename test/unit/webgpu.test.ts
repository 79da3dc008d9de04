import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

/**
 * The WebGPU route, on Mesa's llvmpipe (no GPU here): a forced `webgpu` backend starts on Dawn's
 * software adapter, and three SGD steps of the bench's reference CNN, read with `await data()`,
 * give the losses the pure-JS cpu backend gives. Each backend in its own process, since a
 * process keeps the first backend it chose.
 */
function losses(env: Record<string, string>): { report: string; losses: number[] } {
  const script = `
    const tf = require("@tensorflow/tfjs");
    const { initBackend, backendReport } = require(${JSON.stringify(require.resolve("../../lib/backend/select"))});
    const { referenceCnn } = require(${JSON.stringify(require.resolve("../../bench/networks"))});
    (async () => {
      const choice = await initBackend(process.env);
      const p = referenceCnn.params();
      const x = tf.randomNormal([8, 32, 32, 3], 0, 1, "float32", 7);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10);
      const optimizer = tf.train.sgd(0.05);
      const losses = [];
      for (let i = 0; i < 3; i++) {
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, referenceCnn.logits(x, p)), true);
        losses.push((await loss.data())[0]);
        loss.dispose();
      }
      console.log(JSON.stringify({ report: backendReport(choice), losses }));
      process.exit(0);
    })().catch((e) => { console.error(e.message); process.exit(1); });
  `;
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

test("the webgpu backend trains the reference CNN on Dawn's software adapter as the cpu backend does", () => {
  const webgpu = losses({ NASBOOK_BACKEND: "webgpu", NASBOOK_WEBGPU_ADAPTER: "software" });
  assert.match(webgpu.report, /^Backend: webgpu \(Dawn, software adapter: .*llvmpipe.*\), forced by NASBOOK_BACKEND\./);
  const cpu = losses({ NASBOOK_BACKEND: "cpu" });
  assert.ok(webgpu.losses[2] < webgpu.losses[0], `loss did not fall: ${webgpu.losses}`);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(webgpu.losses[i] - cpu.losses[i]) < 1e-3 * Math.abs(cpu.losses[i]), `step ${i}: ${webgpu.losses[i]} vs ${cpu.losses[i]}`);
});

test("the webgpu backend refuses a CPU implementation of Vulkan as its GPU adapter, and a bad adapter setting", () => {
  const script = (env: Record<string, string>) => `
    const { initBackend } = require(${JSON.stringify(require.resolve("../../lib/backend/select"))});
    initBackend(${JSON.stringify(env)}).then(() => console.log("started"), (e) => console.log(e.message));
  `;
  const run = (env: Record<string, string>) => spawnSync(process.execPath, ["-e", script(env)], { encoding: "utf8", timeout: 60_000 }).stdout;
  assert.match(run({ NASBOOK_BACKEND: "webgpu" }), /No tfjs backend could be started \(webgpu: Dawn (found no Vulkan GPU adapter|'s only Vulkan adapter is a CPU implementation)/);
  assert.match(run({ NASBOOK_BACKEND: "webgpu", NASBOOK_WEBGPU_ADAPTER: "tpu" }), /NASBOOK_WEBGPU_ADAPTER must be one of gpu, software; got "tpu"/);
});
