/** What the NASNet strategy tests share: a trained-looking outcome, and a fitness with a known optimum. */
import type { Outcome } from "../../lib/core/types";
import type { NasnetGenotype } from "../../lib/spaces/nasnet";

export function ok(validAccuracy: number): Outcome {
  return { status: "ok", metrics: { validAccuracy, validAccuracyHistory: [validAccuracy], params: 0, flops: 0, latencyMs: 0, trainSeconds: 0 } };
}

/** The share of sep_conv_3x3 among the genotype's ops (1 at the optimum). */
export function sepShare(g: NasnetGenotype): number {
  const ops = [...g.normal, ...g.reduce].flatMap((b) => b.ops);
  return ops.filter((op) => op === "sep_conv_3x3").length / ops.length;
}
