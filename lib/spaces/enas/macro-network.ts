/**
 * The network of ENAS's macro space, after the search child of src/cifar10/general_child.py
 * (`whole_channels`, `_enas_layer`): a 3x3 conv + BN stem, then per layer i one op on node i
 * (its predecessor), each op ENAS's branch
 *   conv k:  1x1 conv-BN-ReLU, k x k conv-BN-ReLU
 *   sep k:   1x1 conv-BN-ReLU, k x k depthwise + pointwise conv-BN-ReLU
 *   pool:    1x1 conv-BN-ReLU, 3x3 pool at stride 1,
 * and for i > 0 the skips combined as the search child does: the SUM of the op's output and the
 * chosen earlier nodes, then one BatchNorm per layer (ENAS's final child concatenates and applies
 * a 1x1 conv instead; nasbook uses the search child's sum + BN for search and final training alike).
 * After each pooling layer every node passes its own factorized reduction (stride 2; nasbook's
 * shared one, which applies a ReLU first where ENAS's does not); the width
 * stays constant, as in ENAS's search (its final child doubles it). Global average pooling and a
 * dense layer end it.
 * Weights are shared: one branch per (layer, op), so every architecture that puts op o at
 * layer i runs the very same variables; `EnasMacroSinglePath` runs one architecture per forward.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { checkTokens } from "../../core/validate";
import type { Decision, ImageShape } from "../../core/types";
import { BatchNorm, Conv2d, Dense, DepthwiseConv2d, avgPool, globalAvgPool, maxPool } from "../../nn/layers";
import { Module, Sequential } from "../../nn/module";
import { BuiltNetwork, type VariableOwner } from "../../nn/network";
import { FactorizedReduce } from "../operations";
import type { SinglePathNet } from "../single-path";
import { ENAS_MACRO_OPS, enasMacroDecisions, enasPoolLayers, type EnasMacroOp, type EnasMacroSpaceOptions } from "./macro-genotypes";

/** Conv (or depthwise + pointwise), BatchNorm, ReLU: ENAS's conv units are post-activation. */
class ConvBnRelu extends Sequential {
  override apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.relu(super.apply(x, training));
  }
}

class Pool extends Module {
  constructor(private readonly kind: "avg" | "max") {
    super();
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.kind === "avg" ? avgPool(x, 3, 1) : maxPool(x, 3, 1);
  }
}

/** One of ENAS's six branches on C channels: the 1x1 conv first, then the op. */
function macroBranch(op: EnasMacroOp, c: number, rng: Rng): Module {
  const first = new ConvBnRelu([new Conv2d(c, c, { kernel: [1, 1] }, rng), new BatchNorm(c)]);
  const k = op.endsWith("5x5") ? 5 : 3;
  const second: Module =
    op === "avg_pool_3x3" || op === "max_pool_3x3"
      ? new Pool(op === "avg_pool_3x3" ? "avg" : "max")
      : op.startsWith("sep")
        ? new ConvBnRelu([new DepthwiseConv2d(c, { kernel: [k, k] }, rng), new Conv2d(c, c, { kernel: [1, 1] }, rng), new BatchNorm(c)])
        : new ConvBnRelu([new Conv2d(c, c, { kernel: [k, k] }, rng), new BatchNorm(c)]);
  return new Sequential([first, second]);
}

/** The layer tokens of an architecture: per layer its op id and its skip bits (the space's token order). */
function layerTokens(tokens: readonly number[], layers: number): Array<{ op: number; skips: readonly number[] }> {
  let k = 0;
  return Array.from({ length: layers }, (_, i) => {
    const op = tokens[k++];
    return { op, skips: tokens.slice(k, (k += i)) };
  });
}

export class EnasMacroNetwork implements VariableOwner {
  readonly decisions: readonly Decision[];
  private readonly stem: Sequential;
  /** branches[i].get(o): layer i's weights for op id o, built only for the ops in `ops[i]`. */
  private readonly branches: ReadonlyArray<ReadonlyMap<number, Module>>;
  /** The BatchNorm after layer i's sum (layer 0 has none: it adds nothing). */
  private readonly skipNorms: ReadonlyArray<BatchNorm | null>;
  /** reductions.get(p)[j]: node j's factorized reduction after pooling layer p. */
  private readonly reductions: ReadonlyMap<number, readonly FactorizedReduce[]>;
  private readonly head: Dense;

  /** `ops[i]`: the ops layer i can run (the supernet: all six; a final network: its one). */
  constructor(
    readonly options: EnasMacroSpaceOptions,
    input: ImageShape,
    numClasses: number,
    rng: Rng,
    ops: ReadonlyArray<readonly EnasMacroOp[]>,
  ) {
    const { layers, channels: c } = options;
    if (ops.length !== layers) throw new RangeError(`EnasMacroNetwork needs the ops of ${layers} layers, got ${ops.length}`);
    this.decisions = enasMacroDecisions(layers);
    this.stem = new Sequential([new Conv2d(input[2], c, { kernel: [3, 3] }, rng), new BatchNorm(c)]);
    this.branches = ops.map((list) => new Map(list.map((op) => [ENAS_MACRO_OPS.indexOf(op), macroBranch(op, c, rng)])));
    this.skipNorms = ops.map((_, i) => (i === 0 ? null : new BatchNorm(c)));
    // After layer p the nodes are the stem and layers 0..p: p + 2 of them.
    this.reductions = new Map(enasPoolLayers(layers).map((p) => [p, Array.from({ length: p + 2 }, () => new FactorizedReduce(c, c, { affine: true }, rng))]));
    this.head = new Dense(c, numClasses, rng);
  }

  /** Logits of the architecture `tokens` (the space's token order); only its branches run. */
  apply(x: tf.Tensor4D, training: boolean, tokens: readonly number[]): tf.Tensor2D {
    checkTokens(tokens, this.decisions);
    return tf.tidy(() => {
      let nodes: tf.Tensor4D[] = [this.stem.apply(x, training)];
      layerTokens(tokens, this.options.layers).forEach(({ op, skips }, i) => {
        const branch = this.branches[i].get(op);
        if (!branch) throw new RangeError(`EnasMacroNetwork: layer ${i} has no weights for op ${ENAS_MACRO_OPS[op]}`);
        const out = branch.apply(nodes[i], training);
        const added = nodes.slice(0, i).filter((_, j) => skips[j] === 1);
        nodes.push(i === 0 ? out : this.skipNorms[i]!.apply(added.length === 0 ? out : (tf.addN([out, ...added]) as tf.Tensor4D), training));
        const reduce = this.reductions.get(i);
        if (reduce) nodes = nodes.map((node, j) => reduce[j].apply(node, training));
      });
      return this.head.apply(globalAvgPool(nodes[this.options.layers]));
    });
  }

  private parts(): VariableOwner[] {
    return [this.stem, ...this.branches.flatMap((m) => [...m.values()]), ...this.skipNorms.flatMap((n) => (n ? [n] : [])), ...[...this.reductions.values()].flat(), this.head];
  }

  /** Every variable, trainable or not (BatchNorm running statistics). */
  variables(): tf.Variable[] {
    return this.parts().flatMap((p) => p.variables());
  }

  weights(): tf.Variable[] {
    return this.variables().filter((v) => v.trainable);
  }

  /** The variables of layer i's branch for `op` (to check that architectures share them). */
  branchVariables(i: number, op: EnasMacroOp): tf.Variable[] {
    return this.branches[i].get(ENAS_MACRO_OPS.indexOf(op))?.variables() ?? [];
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/** The macro supernet (all six branches per layer) run one architecture per forward pass. */
export class EnasMacroSinglePath implements SinglePathNet {
  readonly net: EnasMacroNetwork;
  readonly decisions: readonly Decision[];

  constructor(options: EnasMacroSpaceOptions, input: ImageShape, numClasses: number, rng: Rng) {
    this.net = new EnasMacroNetwork(options, input, numClasses, rng, Array.from({ length: options.layers }, () => ENAS_MACRO_OPS));
    this.decisions = this.net.decisions;
  }

  apply(x: tf.Tensor4D, training: boolean, tokens: readonly number[]): tf.Tensor2D {
    return this.net.apply(x, training, tokens);
  }

  weights(): tf.Variable[] {
    return this.net.weights();
  }

  variables(): tf.Variable[] {
    return this.net.variables();
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** One architecture as a standalone network (its ops only): what the space builds for training from scratch. */
export class EnasMacroChild extends BuiltNetwork {
  constructor(
    private readonly net: EnasMacroNetwork,
    private readonly tokens: readonly number[],
    input: ImageShape,
  ) {
    super(input);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return this.net.apply(x, training, this.tokens);
  }

  protected parts(): VariableOwner[] {
    return [this.net];
  }
}
