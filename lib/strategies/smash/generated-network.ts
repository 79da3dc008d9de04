/**
 * The main network SMASH trains through its HyperNet, on NAS-Bench-201's space: the benchmark's
 * skeleton (stem, residual blocks, classifier; spaces/nb201/skeleton.ts) with cells whose
 * convolutions take the HyperNet's kernels for the architecture of this forward pass. The
 * skeleton's own weights are learned directly, shared by every architecture (SMASH too learns
 * some of its weights directly and generates the rest).
 *
 * BatchNorm always normalises with the batch's statistics, in training and in scoring: running
 * averages taken over a new architecture every step describe none of them. The cells'
 * BatchNorms have no learned scale and shift (affine = false, as in DARTS's search), since an
 * edge's scale and shift would be one for every op and architecture.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { BatchNorm } from "../../nn/layers";
import type { Module } from "../../nn/module";
import type { VariableOwner } from "../../nn/network";
import { reluConv2d } from "../../nn/relu-conv";
import { NB201_OPERATIONS, computedEdges } from "../../spaces/nb201/cell";
import { NB201_EDGES, NB201_NODES, type Nb201Genotype, type Nb201Op } from "../../spaces/nb201/genotypes";
import { Nb201Skeleton, type Nb201NetworkOptions } from "../../spaces/nb201/skeleton";
import { Nb201Space } from "../../spaces/nb201/space";
import { createOperation } from "../../spaces/operations";
import { HyperNet, type HyperNetOptions } from "./hypernet";
import { MainNetwork } from "./main-network";

/** A cell with no weights of its own but its BatchNorms: the kernels come with each call. */
class GeneratedCell implements VariableOwner {
  private readonly norms: BatchNorm[];
  /** The ops without weights, built once. */
  private readonly weightFree: Partial<Record<Nb201Op, Module>>;

  constructor(
    readonly index: number,
    readonly channels: number,
    rng: Rng,
  ) {
    this.norms = NB201_EDGES.map(() => new BatchNorm(channels, { affine: false }));
    const build = (op: Nb201Op) => createOperation(NB201_OPERATIONS[op], channels, 1, { affine: false }, rng);
    this.weightFree = { skip_connect: build("skip_connect"), avg_pool_3x3: build("avg_pool_3x3") };
  }

  /** The cell's output; `kernels[k]` is edge k's conv kernel, null where the edge is not computed or has no weights. */
  apply(x: tf.Tensor4D, ops: readonly Nb201Op[], kernels: ReadonlyArray<tf.Tensor4D | null>, computed: readonly boolean[]): tf.Tensor4D {
    const nodes: Array<tf.Tensor4D | null> = [x];
    for (let to = 1; to <= NB201_NODES; to++) {
      let sum: tf.Tensor4D | null = null;
      for (const [k, e] of NB201_EDGES.entries()) {
        if (e.to !== to || !computed[k]) continue;
        const y = this.edge(k, ops[k], kernels[k], nodes[e.from] ?? tf.zerosLike(x));
        sum = sum ? tf.add<tf.Tensor4D>(sum, y) : y;
      }
      nodes.push(sum);
    }
    return nodes[NB201_NODES] ?? tf.zerosLike(x);
  }

  private edge(k: number, op: Nb201Op, kernel: tf.Tensor4D | null, h: tf.Tensor4D): tf.Tensor4D {
    if (kernel) return this.norms[k].apply(reluConv2d(h, kernel, 1, "same"), true);
    const free = this.weightFree[op];
    if (!free) throw new RangeError(`edge ${NB201_EDGES[k].name}: ${op} needs a generated kernel and got none`);
    return free.apply(h, true);
  }

  variables(): tf.Variable[] {
    return this.norms.flatMap((n) => n.variables());
  }
}

export class GeneratedNetwork extends MainNetwork<Nb201Genotype> {
  readonly hypernet: HyperNet;
  readonly space = new Nb201Space();
  private readonly skeleton: Nb201Skeleton<GeneratedCell>;

  constructor(options: Nb201NetworkOptions, hyper: HyperNetOptions, input: ImageShape, numClasses: number, rng: Rng) {
    super();
    let cells = 0;
    this.skeleton = new Nb201Skeleton(options, input, numClasses, rng, (channels) => new GeneratedCell(cells++, channels, rng));
    this.hypernet = new HyperNet(
      this.skeleton.cells.map((c) => c.channels),
      hyper,
      rng,
    );
  }

  /** Logits of `genotype` with the HyperNet's weights (generated in this call, so a tape around it reaches the HyperNet). */
  apply(x: tf.Tensor4D, genotype: Nb201Genotype): tf.Tensor2D {
    const weights = this.hypernet.generate(genotype);
    const computed = computedEdges(genotype);
    return this.skeleton.apply(x, true, (cell, h) => cell.apply(h, genotype.edges, weights[cell.index], computed));
  }

  protected skeletonParts(): VariableOwner[] {
    return this.skeleton.parts();
  }
}
