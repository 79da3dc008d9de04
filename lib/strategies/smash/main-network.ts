/**
 * What SMASH's main networks share, whatever the space: their variables are a HyperNet's (which
 * generates the searched weights per architecture) and a skeleton's learned directly (stem,
 * downsampling, classifier), in a fixed order that checkpoints rely on.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Json } from "../../core/types";
import type { VariableOwner } from "../../nn/network";
import type { HyperNetOptions } from "./hypernet";
import type { HyperNetModel } from "./training";

export abstract class MainNetwork<G extends Json> implements HyperNetModel<G> {
  abstract readonly space: HyperNetModel<G>["space"];
  abstract readonly hypernet: { readonly options: HyperNetOptions; variables(): tf.Variable[]; paramCount(): number };

  abstract apply(x: tf.Tensor4D, genotype: G): tf.Tensor2D;

  /** The parts learned directly, BatchNorm statistics included. */
  protected abstract skeletonParts(): VariableOwner[];

  /** What the optimiser updates: the HyperNet and the skeleton's own weights. */
  get trainableVariables(): tf.Variable[] {
    return this.variables().filter((v) => v.trainable);
  }

  /** Every variable, BatchNorm statistics included, in a fixed order (checkpoints rely on it). */
  variables(): tf.Variable[] {
    return [...this.hypernet.variables(), ...this.skeletonParts().flatMap((p) => p.variables())];
  }

  /** Weights learned directly, beside the HyperNet's. */
  directParamCount(): number {
    return this.skeletonParts().flatMap((p) => p.variables()).filter((v) => v.trainable).reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
