import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { backendReport, initBackend } from "../../lib/backend/select";

test("a forced backend is chosen and reported", async () => {
  const choice = await initBackend({ NASBOOK_BACKEND: "wasm" });
  assert.equal(choice.name, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.match(backendReport(choice), /Backend: wasm \(forced by NASBOOK_BACKEND\)/);
});
