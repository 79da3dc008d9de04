import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { loadNativeKernels, nativeOptions } from "../../lib/backend/native";
import { backendReport, initBackend } from "../../lib/backend/select";

test("a forced backend is chosen and reported", async () => {
  const choice = await initBackend({ NASBOOK_BACKEND: "wasm" });
  assert.equal(choice.name, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.match(backendReport(choice), /^Backend: wasm \(XNNPACK on \d threads?[^)]*\), forced by NASBOOK_BACKEND\./);
});

test("without NASBOOK_BACKEND the first backend that loads is chosen, and the skipped ones say why", () => {
  const script = `
    const { initBackend, backendReport } = require(${JSON.stringify(require.resolve("../../lib/backend/select"))});
    initBackend({}).then((choice) => console.log(JSON.stringify({ choice, report: backendReport(choice) })));
  `;
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const { choice, report } = JSON.parse(result.stdout);
  const order = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];
  assert.deepEqual(choice.skipped.map((s: { name: string }) => s.name), order.slice(0, order.indexOf(choice.name)));
  for (const skipped of choice.skipped) {
    assert.ok(skipped.reason.length > 0);
    assert.ok(report.includes(`skipped ${skipped.name}: ${skipped.reason}`));
  }
  assert.equal(choice.forced, false);
});

test("an unknown NASBOOK_BACKEND is a clear error", async () => {
  const script = `
    const { initBackend } = require(${JSON.stringify(require.resolve("../../lib/backend/select"))});
    initBackend({ NASBOOK_BACKEND: "tpu" }).catch((e) => { console.log(e.name + ": " + e.message); });
  `;
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  assert.match(result.stdout, /NasbookError: NASBOOK_BACKEND must be one of tensorflow-gpu, tensorflow, wasm, cpu, webgpu; got "tpu"/);
});

test("wasm runs one XNNPACK thread unless NASBOOK_WASM_THREADS asks for more", () => {
  const report = (threads: string) => {
    const script = `
      const { initBackend, backendReport } = require(${JSON.stringify(require.resolve("../../lib/backend/select"))});
      initBackend({ NASBOOK_BACKEND: "wasm", NASBOOK_WASM_THREADS: "${threads}" }).then((c) => console.log(backendReport(c)), (e) => console.log(e.message));
    `;
    return spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout;
  };
  assert.match(report(""), /Backend: wasm \(XNNPACK on 1 thread[;)]/);
  assert.match(report("1"), /Backend: wasm \(XNNPACK on 1 thread[;)]/);
  assert.match(report("2"), /Backend: wasm \(XNNPACK on 2 threads[;)]/);
  assert.match(report("0"), /NASBOOK_WASM_THREADS must be an integer from 1 to 8; got "0"/);
});

test("wasm reports its native kernels, their threads, and why they are off", () => {
  const report = (env: Record<string, string>) => {
    const script = `
      const { initBackend, backendReport } = require(${JSON.stringify(require.resolve("../../lib/backend/select"))});
      initBackend(${JSON.stringify({ NASBOOK_BACKEND: "wasm", ...env })}).then((c) => console.log(backendReport(c)), (e) => console.log(e.message));
    `;
    return spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout;
  };
  if (process.env.NASBOOK_NATIVE !== "0") {
    assert.match(report({ NASBOOK_NATIVE_THREADS: "2" }), /XNNPACK on 1 thread; native kernels on 2 threads\)/);
    assert.match(report({ NASBOOK_NATIVE_THREADS: "1" }), /native kernels on 1 thread\)/);
  }
  assert.match(report({ NASBOOK_NATIVE: "0" }), /XNNPACK on 1 thread; native kernels off \(NASBOOK_NATIVE=0\)\)/);
  assert.match(report({ NASBOOK_NATIVE_THREADS: "x" }), /NASBOOK_NATIVE_THREADS must be an integer from 1 to 64; got "x"/);
});

test("an invalid thread or NASBOOK_NATIVE setting is an error even when no backend is forced, not a fall back to cpu", () => {
  assert.throws(() => nativeOptions({ NASBOOK_NATIVE: "abc" }), /NASBOOK_NATIVE must be 0 .* or 1 .*; got "abc"/);
  assert.equal(nativeOptions({ NASBOOK_NATIVE: "0" }).enabled, false);
  assert.equal(nativeOptions({ NASBOOK_NATIVE: "1" }).enabled, true);
  for (const env of [{ NASBOOK_NATIVE_THREADS: "0" }, { NASBOOK_WASM_THREADS: "99" }]) {
    const script = `
      const { initBackend } = require(${JSON.stringify(require.resolve("../../lib/backend/select"))});
      initBackend(${JSON.stringify(env)}).then((c) => console.log("chose " + c.name), (e) => console.log(e.name + ": " + e.message));
    `;
    const out = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout;
    assert.match(out, /^NasbookError: NASBOOK_(NATIVE|WASM)_THREADS must be an integer from 1 to (64|8); got "(0|99)"/, out);
  }
});

test("the native addon refuses arrays that do not fit the geometry, naming which", { skip: process.env.NASBOOK_NATIVE === "0" }, () => {
  const native = loadNativeKernels(nativeOptions({})).kernels;
  assert.ok(native, "the addon is built");
  // x [1, 4, 4, 2], filter 3x3x2x3, 'valid': y [1, 2, 2, 3].
  const geometry = Int32Array.of(1, 4, 4, 2, 3, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0);
  const x = new Float32Array(32).fill(1);
  const w = new Float32Array(54).fill(0.5);
  const y = new Float32Array(12);
  native.conv2d(x, w, y, geometry);
  assert.deepEqual(Array.from(y), new Array(12).fill(9));
  assert.throws(() => native.conv2d(x, w, new Float32Array(11), geometry), /conv2d: output has 11 floats, the geometry needs 12/);
  assert.throws(() => native.conv2d(x, new Float64Array(54) as unknown as Float32Array, y, geometry), /conv2d: second input must be a Float32Array/);
  assert.throws(() => native.conv2d(x, w, y, geometry.subarray(0, 14)), /geometry must be an Int32Array of 15 fields/);
  assert.throws(() => native.conv2d(x, w, y, Int32Array.of(1, 4, 4, 2, 3, 3, 3, 2, 2, 0, 1, 1, 1, 0, 0)), /non-positive size, stride or dilation/);
  assert.throws(() => native.depthwiseConv2d(x, w, y, geometry), /out_c is not a multiple of c/);
});
