/**
 * tfjs's WebGPU backend in Node, on Dawn (the `webgpu` package: Chromium's WebGPU as a Node
 * addon). A route to a GPU that needs a driver with Vulkan and nothing of a fixed CUDA version,
 * which tfjs-node-gpu does need (CUDA 11.2, cuDNN 8.1).
 *
 * Adapters:
 *  - `gpu`: Dawn on Vulkan, the high-performance adapter; a CPU implementation of Vulkan
 *    (llvmpipe, lavapipe, SwiftShader) is refused, since it is a test of the route, not a GPU.
 *  - `software`: Dawn on OpenGL ES in compatibility mode, on Mesa's llvmpipe (Debian:
 *    `libegl-mesa0 libgles2`) with no display (EGL_PLATFORM=surfaceless). The same shaders on
 *    the CPU: it proves the route where no GPU is, at a fraction of the speed.
 *
 * Limit: tfjs's WebGPU backend cannot read a tensor synchronously in Node (its readSync draws to
 * an OffscreenCanvas, which Node lacks), so only code that reads with `await tensor.data()` runs
 * on it. nasbook's training loops read with dataSync, which is why `initBackend()` tries this
 * backend only when NASBOOK_BACKEND=webgpu asks for it.
 */
import * as tf from "@tensorflow/tfjs";

export type WebgpuAdapterKind = "gpu" | "software";
export const WEBGPU_ADAPTER_KINDS: readonly WebgpuAdapterKind[] = ["gpu", "software"];

/** What `backendReport()` prints about the adapter. */
export interface WebgpuAdapter {
  readonly kind: WebgpuAdapterKind;
  readonly description: string;
}

interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

interface AdapterLike {
  readonly info: AdapterInfoLike;
  readonly limits: Record<string, number>;
  requestDevice(descriptor: { requiredLimits: Record<string, number> }): Promise<unknown>;
}

interface GpuLike {
  requestAdapter(options: Record<string, string>): Promise<AdapterLike | null>;
}

/** Limits raised to the adapter's own, as tfjs's own registration does, so large convolutions fit. */
const RAISED_LIMITS = [
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupSizeX",
  "maxComputeInvocationsPerWorkgroup",
  "maxStorageBuffersPerShaderStage",
];

const SOFTWARE_RENDERERS = /llvmpipe|lavapipe|swiftshader|softpipe/i;

/** The adapter's words, joined: Dawn fills different fields per backend. */
function describe(info: AdapterInfoLike): string {
  const words = [info.vendor, info.architecture, info.device, info.description].filter((w) => w !== undefined && w !== "");
  return words.join(" ").trim() || "unnamed adapter";
}

function loadDawn(): DawnModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require("webgpu") as DawnModule;
  } catch (error) {
    throw new Error(`Dawn is not installed (npm install webgpu): ${(error as Error).message.split("\n")[0]}`);
  }
}

async function requestAdapter(kind: WebgpuAdapterKind): Promise<{ gpu: GpuLike; adapter: AdapterLike }> {
  const dawn = loadDawn();
  // tfjs's WebGPU kernels read GPUBufferUsage and friends from the global scope.
  Object.assign(globalThis, dawn.globals);
  if (kind === "software") process.env.EGL_PLATFORM ??= "surfaceless";
  const gpu = dawn.create(kind === "gpu" ? ["backend=vulkan"] : ["backend=opengles"]);
  const adapter = await gpu.requestAdapter(kind === "gpu" ? { powerPreference: "high-performance" } : { featureLevel: "compatibility" });
  if (adapter === null) {
    const where = kind === "gpu" ? "no Vulkan GPU adapter" : "no OpenGL ES adapter (Debian: apt-get install libegl-mesa0 libgles2)";
    throw new Error(`Dawn found ${where}`);
  }
  const description = describe(adapter.info);
  if (kind === "gpu" && SOFTWARE_RENDERERS.test(description)) {
    throw new Error(`Dawn's only Vulkan adapter is a CPU implementation (${description}); NASBOOK_WEBGPU_ADAPTER=software runs it`);
  }
  return { gpu, adapter };
}

/**
 * Starts tfjs's WebGPU backend on the adapter of `kind` and makes it current. tfjs's own
 * registration asks `navigator.gpu` for a default adapter; ours is registered under the same
 * name, since its kernels are registered for "webgpu".
 */
export async function startWebgpu(kind: WebgpuAdapterKind): Promise<WebgpuAdapter> {
  const { gpu, adapter } = await requestAdapter(kind);
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) if (adapter.limits[name] !== undefined) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredLimits });
  // The module holds Dawn's instance as long as it lives (see the webgpu package's notes on lifetime).
  (globalThis as { navigator?: unknown }).navigator ??= { gpu };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { WebGPUBackend } = require("@tensorflow/tfjs-backend-webgpu") as {
    WebGPUBackend: new (device: unknown, info: unknown) => tf.KernelBackend;
  };
  if (tf.findBackendFactory("webgpu") !== null) tf.removeBackend("webgpu");
  tf.registerBackend("webgpu", () => new WebGPUBackend(device, adapter.info));
  if (!(await tf.setBackend("webgpu"))) throw new Error('tf.setBackend("webgpu") failed');
  await tf.ready();
  return { kind, description: describe(adapter.info) };
}
