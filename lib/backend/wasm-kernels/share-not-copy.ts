/**
 * Identity and same-dtype Cast on wasm that share the input's data (as Reshape does) instead of
 * copying it. tfjs tensors are immutable, so nothing can tell the difference, and a training step
 * calls Identity on every tensor the backward pass saves: wasm's copying versions cost ~0.2 ms
 * per million floats each time, ~2 ms per reference-CNN step.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { KernelArgs, withWasmOps } from "./wasm-ops";

function share(backend: unknown, x: tf.TensorInfo): tf.TensorInfo {
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x } = inputs as { x: tf.TensorInfo };
  if (x.dtype === "string") return withWasmOps(backend, (ops) => ops.run("Identity", { x }));
  return share(backend, x);
}

function cast({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x } = inputs as { x: tf.TensorInfo };
  const { dtype } = attrs as unknown as tf.CastAttrs;
  if (dtype === x.dtype && dtype !== "string") return share(backend, x);
  return withWasmOps(backend, (ops) => ops.run("Cast", { x }, { dtype }));
}

export const identityConfig: tf.KernelConfig = { kernelName: tf.Identity, backendName: "wasm", kernelFunc: identity };
export const castConfig: tf.KernelConfig = { kernelName: tf.Cast, backendName: "wasm", kernelFunc: cast };
