/** Measured inference latency: what a deployment-minded search (MnasNet, DPP-Net) optimises. */
import * as tf from "@tensorflow/tfjs";
import { median } from "../core/stats";
import type { ImageShape, Network } from "../core/types";

/** Median milliseconds of a forward pass on one image, after warm-up runs (kernel setup, caches). */
export function measureLatency(network: Network, input: ImageShape, runs = 10, warmup = 2): number {
  const x = tf.zeros([1, ...input]) as tf.Tensor4D;
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const start = performance.now();
      tf.tidy(() => network.apply(x, false).dataSync());
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    x.dispose();
  }
  return median(times);
}
