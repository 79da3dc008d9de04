/** Shared by the native kernel tests: outputs computed on 1 and on 3 native threads are the same bits. */
import assert from "node:assert/strict";
import { nativeOptions, type NativeKernels } from "../../lib/backend/native";

/** Runs `compute` on 1 then 3 threads and compares every output; restores the default thread count. */
export function assertSameBitsOnThreads<T extends Record<string, Float32Array>>(kernels: NativeKernels, compute: () => T): void {
  const on = (threads: number) => {
    kernels.setThreads(threads);
    return compute();
  };
  try {
    const one = on(1);
    const three = on(3);
    for (const key of Object.keys(one)) assert.deepEqual(three[key], one[key], key);
  } finally {
    kernels.setThreads(nativeOptions(process.env).threads);
  }
}
