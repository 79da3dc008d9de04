import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
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
  assert.match(result.stdout, /NasbookError: NASBOOK_BACKEND must be one of tensorflow-gpu, tensorflow, wasm, cpu; got "tpu"/);
});

test("wasm runs one XNNPACK thread unless NASBOOK_WASM_THREADS asks for more", () => {
  const report = (threads: string) => {
    const script = `
      const { initBackend, backendReport } = require(${JSON.stringify(require.resolve("../../lib/backend/select"))});
      initBackend({ NASBOOK_BACKEND: "wasm", NASBOOK_WASM_THREADS: "${threads}" }).then((c) => console.log(backendReport(c)), (e) => console.log(e.message));
    `;
    return spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout;
  };
  assert.match(report(""), /Backend: wasm \(XNNPACK on 1 thread\)/);
  assert.match(report("1"), /Backend: wasm \(XNNPACK on 1 thread\)/);
  assert.match(report("2"), /Backend: wasm \(XNNPACK on 2 threads\)/);
  assert.match(report("0"), /NASBOOK_WASM_THREADS must be an integer from 1 to 8; got "0"/);
});
