/**
 * NAS-Bench-201's search network run one path at a time: an architecture's six op tokens
 * become a one-hot mixing with the op chosen per edge (GDAS's path through `MixedOp`, with
 * constant weights), so only the chosen op of every edge runs and only its weights learn.
 * One weight set per (edge, op), shared by every cell that puts that op on that edge. The
 * supernet's alpha is never read.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { checkTokens } from "../../core/validate";
import type { ImageShape } from "../../core/types";
import type { SinglePathNet } from "../single-path";
import { NB201_OPS } from "./genotypes";
import type { Nb201NetworkOptions } from "./skeleton";
import { Nb201Space } from "./space";
import { Nb201Supernet } from "./supernet";

export class Nb201SinglePath implements SinglePathNet {
  readonly decisions = new Nb201Space().decisions();
  private readonly supernet: Nb201Supernet;

  constructor(options: Nb201NetworkOptions, input: ImageShape, numClasses: number, rng: Rng) {
    this.supernet = new Nb201Supernet(options, input, numClasses, rng);
  }

  apply(x: tf.Tensor4D, training: boolean, tokens: readonly number[]): tf.Tensor2D {
    checkTokens(tokens, this.decisions);
    return tf.tidy(() => {
      const weights = tf.oneHot(tf.tensor1d([...tokens], "int32"), NB201_OPS.length).toFloat() as tf.Tensor2D;
      return this.supernet.apply(x, training, { cell: { weights, chosen: tokens } });
    });
  }

  weights(): tf.Variable[] {
    return this.supernet.weights();
  }

  variables(): tf.Variable[] {
    return this.supernet.variables();
  }

  dispose(): void {
    this.supernet.dispose();
  }
}
