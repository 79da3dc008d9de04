/**
 * What every network built from a genotype shares: its variables come from its modules, its
 * parameter count from those, and its MACs from one traced forward pass on a single image.
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageShape, Network } from "../core/types";
import { countMacs } from "./macs";

/** Anything that owns variables: a Module, a Dense head. */
export interface VariableOwner {
  variables(): tf.Variable[];
}

export abstract class BuiltNetwork implements Network {
  private macCount: number | null = null;

  protected constructor(private readonly input: ImageShape) {}

  abstract apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;

  /** Every part that owns variables, trainable or not (BatchNorm running statistics). */
  protected abstract parts(): VariableOwner[];

  get trainableVariables(): tf.Variable[] {
    return this.parts().flatMap((p) => p.variables()).filter((v) => v.trainable);
  }

  paramCount(): number {
    return this.trainableVariables.reduce((n, v) => n + v.size, 0);
  }

  /** Traced once, on first use. */
  macs(): number {
    // The braces matter: tidy keeps a returned tensor, and the logits are not wanted here.
    this.macCount ??= countMacs(() => {
      tf.tidy(() => {
        this.apply(tf.zeros([1, ...this.input]) as tf.Tensor4D, false);
      });
    });
    return this.macCount;
  }

  dispose(): void {
    for (const v of this.parts().flatMap((p) => p.variables())) v.dispose();
  }
}
