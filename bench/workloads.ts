/**
 * The steps NAS spends its time in, each built from the library exactly as a run builds it, and
 * described as plain data (`torch`) from which bench/torch_reference.py builds the same network
 * in PyTorch (same layers, shapes and parameter count, checked by the bench):
 *  - the two raw-op networks of networks.ts (reference CNN, one DARTS mixed op);
 *  - a first-order DARTS bilevel step (an Adam step on alpha from a valid batch, then a clipped
 *    momentum-SGD step on the weights from a train batch) on a CPU-sized supernet and on the paper's;
 *  - a training step of the shipped NAS-Bench-201 table's network (quick: N = 1, C = 8, 14x14x1);
 *  - a training step of a NAS-RL child of the quick space (4 layers, input pooled to 14x14);
 *  - one REINFORCE update of the LSTM controller over that space (m = 4 sequences as one batch, Adam).
 *
 * FLOPs per step, for the GFLOP/s column: 2 per multiply-accumulate, the MACs counted by the
 * library's own tally (lib/nn/macs.ts: convolutions, dense layers, BatchNorm) on one image times
 * the batch, or written out below where the network is raw ops. A training step is 3 forward
 * passes' worth (forward, gradients to activations, gradients to weights); DARTS' alpha step
 * needs no weight gradients, 2, so a first-order bilevel step is 5. Pooling, ReLU and the
 * softmax are not counted: the figure is the arithmetic the convolutions need, a lower bound.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../lib/core/random";
import type { ImageShape, Json, Network } from "../lib/core/types";
import { countMacs } from "../lib/nn/macs";
import { MomentumSGD } from "../lib/nn/sgd";
import { DartsSupernet } from "../lib/spaces/darts/supernet";
import type { SkeletonOptions } from "../lib/spaces/darts/skeleton";
import type { Nb201Genotype } from "../lib/spaces/nb201/genotypes";
import { Nb201Network } from "../lib/spaces/nb201/network";
import { NasRlSpace, nasRlSpaceOptions } from "../lib/spaces/nasrl/space";
import type { NasRlGenotype } from "../lib/spaces/nasrl/genotypes";
import { NASRL_CONTROLLER, ReinforceController } from "../lib/strategies/controller/reinforce";
import { BilevelSearch, DARTS_HYPERPARAMETERS } from "../lib/strategies/darts/search";
import type { LabelledBatch } from "../lib/strategies/darts/hypergradient";
import { BENCH_NETWORKS, type BenchNetwork } from "./networks";
import { softmaxCrossEntropy } from "../lib/nn/losses";

/** A workload started on the current backend. */
export interface WorkloadRun {
  /** Untimed, before each step: what the step needs that is not its work (the controller's candidates). */
  prepare?(): void;
  step(): void;
  /** Trainable parameters (alphas included), to check against PyTorch's. */
  readonly params: number;
  readonly flopsPerStep: number;
  dispose(): void;
}

export interface Workload {
  readonly name: string;
  /** Timed steps per round (after train-step.ts's untimed warm-up steps: 40 for the cheap ones, 1 for the slow). */
  readonly steps: number;
  /** Run unless `--workloads` names others; the paper's DARTS step (tens of seconds) is not. */
  readonly byDefault: boolean;
  /** What torch_reference.py builds: `kind` and its settings. */
  readonly torch: Json;
  start(): WorkloadRun;
}

const CLASSES = 10;
type Shape4 = [number, number, number, number];

/** A random batch with one-hot labels over `CLASSES`. */
function labelledBatch(shape: readonly number[], seed: number): LabelledBatch {
  const x = tf.randomNormal(shape as Shape4, 0, 1, "float32", seed) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: shape[0] }, (_, i) => (i + seed) % CLASSES), "int32"), CLASSES).toFloat() as tf.Tensor2D;
  return { x, labels };
}

/** tfjs's own SGD on a raw-op network (networks.ts), as the bench always timed it. */
function rawNetwork(net: BenchNetwork, macsPerImage: number): Workload {
  return {
    name: net.name,
    steps: 10,
    byDefault: true,
    torch: { kind: net.name },
    start() {
      const p = net.params();
      const batch = labelledBatch(net.inputShape, 7);
      const optimizer = tf.train.sgd(0.01);
      return {
        step: () => tf.dispose(optimizer.minimize(() => tf.losses.softmaxCrossEntropy(batch.labels, net.logits(batch.x, p)) as tf.Scalar, true) ?? []),
        params: Object.values(p).reduce((n, v) => n + v.size, 0),
        flopsPerStep: 3 * 2 * macsPerImage * net.inputShape[0],
        dispose: () => {
          optimizer.dispose();
          tf.dispose([batch.x, batch.labels, ...Object.values(p)]);
        },
      };
    },
  };
}

/** networks.ts's layers, written out: conv MACs are output pixels x k*k*in x out. */
const REFERENCE_CNN_MACS = 32 * 32 * 27 * 16 + 32 * 32 * 144 * 16 + 16 * 16 * 144 * 32 + 32 * 10;
/** One mixed op at 16x16, C = 16: each half of a sep/dil conv is a depthwise k*k*C and a pointwise C*C per pixel. */
const MIXED_OP_MACS = 256 * [3, 3, 5, 5, 3, 5].reduce((n, k) => n + k * k * 16 + 16 * 16, 0) + 16 * 10;

/** One SGD step (nasbook's momentum SGD, as lib/evaluators/training.ts trains) of a library network. */
function networkStep(network: Network, batch: LabelledBatch): () => void {
  const optimizer = new MomentumSGD(network.trainableVariables, { momentum: 0.9, weightDecay: 5e-4 });
  return () => {
    const loss = optimizer.minimize(() => softmaxCrossEntropy(batch.labels, network.apply(batch.x, true)), 0.05);
    loss.dataSync();
    loss.dispose();
  };
}

function networkWorkload(name: string, torch: Json, batchShape: [number, ...ImageShape], build: (rng: Rng) => Network): Workload {
  return {
    name,
    steps: 10,
    byDefault: true,
    torch: { ...(torch as object), batch: batchShape[0], input: batchShape.slice(1) },
    start() {
      const network = build(new Rng(0));
      const batch = labelledBatch(batchShape, 3);
      const step = networkStep(network, batch);
      return {
        step,
        params: network.paramCount(),
        flopsPerStep: 3 * 2 * network.macs() * batchShape[0],
        dispose: () => {
          network.dispose();
          tf.dispose([batch.x, batch.labels]);
        },
      };
    },
  };
}

function dartsStep(name: string, supernet: SkeletonOptions, batchShape: [number, ...ImageShape], steps: number, byDefault: boolean): Workload {
  return {
    name,
    steps,
    byDefault,
    torch: { kind: "darts-step", ...supernet, batch: batchShape[0], input: batchShape.slice(1) },
    start() {
      const net = new DartsSupernet(supernet, batchShape.slice(1) as unknown as ImageShape, CLASSES, new Rng(0));
      const search = new BilevelSearch(net, { ...DARTS_HYPERPARAMETERS, epochs: 1, batchSize: batchShape[0], order: 1, gdasTau: null, seed: 0 });
      const [train, valid] = [labelledBatch(batchShape, 1), labelledBatch(batchShape, 2)];
      const macs = countMacs(() => {
        tf.tidy(() => {
          net.apply(tf.zeros([1, ...batchShape.slice(1)] as Shape4) as tf.Tensor4D, false, net.softmaxMixing());
        });
      });
      return {
        step: () => search.step(train, valid, 0),
        params: [...net.weights(), ...net.alphaVariables()].reduce((n, v) => n + v.size, 0),
        flopsPerStep: 5 * 2 * macs * batchShape[0],
        dispose: () => {
          search.dispose();
          net.dispose();
          tf.dispose([train.x, train.labels, valid.x, valid.labels]);
        },
      };
    },
  };
}

/** NAS-Bench-201's best CIFAR-10 cell, |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|. */
const NB201_CELL: Nb201Genotype = { edges: ["nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_3x3", "nor_conv_3x3"] };
/** The shipped table's network (lib/experiment/presets/benchmark.ts, quick). */
const NB201_TABLE_NETWORK = { cellsPerStage: 1, channels: 8 };

const NASRL_SPACE = new NasRlSpace(nasRlSpaceOptions("quick"));
/** A quick-space child with every layer reading the one before and layer 3 also reading layer 0. */
const NASRL_CHILD: NasRlGenotype = {
  layers: [
    { filterHeight: 3, filterWidth: 3, filters: 12, stride: 1, inputs: [] },
    { filterHeight: 5, filterWidth: 3, filters: 16, stride: 1, inputs: [0] },
    { filterHeight: 3, filterWidth: 7, filters: 16, stride: 1, inputs: [1] },
    { filterHeight: 5, filterWidth: 5, filters: 9, stride: 1, inputs: [0, 2] },
  ],
};

/** The quick NAS-RL preset's controller: m = 4, Adam lr 0.01. */
const CONTROLLER = { ...NASRL_CONTROLLER, batchSize: 4, learningRate: 0.01 };

/**
 * One controller update: m candidates asked and told (untimed), the last tell running the
 * update: the m sequences re-scored through the LSTM side by side as one batch (teacher forcing),
 * REINFORCE's loss, Adam. PyTorch re-scores m sequences sampled from the space, batched the same
 * way (the update's cost depends on the number of layers and anchors, not on which tokens).
 */
function controllerUpdate(): Workload {
  const rng = new Rng(11);
  const tokens = Array.from({ length: CONTROLLER.batchSize }, () => NASRL_SPACE.encode(NASRL_SPACE.sample(rng)));
  return {
    name: "controller-update",
    steps: 10,
    byDefault: true,
    torch: { kind: "controller", decisions: NASRL_SPACE.decisions() as unknown as Json, tokens, units: CONTROLLER.units, lstmLayers: CONTROLLER.lstmLayers, learningRate: CONTROLLER.learningRate },
    start() {
      const controller = new ReinforceController(NASRL_SPACE, 0, CONTROLLER);
      const decisions = NASRL_SPACE.decisions();
      const lstmSteps = decisions.filter((d, k) => d.kind !== "anchor" || decisions[k - 1]?.kind !== "anchor" || decisions[k - 1].layer !== d.layer).length;
      const { units, lstmLayers } = CONTROLLER;
      // Per LSTM step, each layer's [x, h] x [2u, 4u] matrix product (the heads and attention add under 5%).
      const macs = lstmSteps * lstmLayers * 2 * units * 4 * units * CONTROLLER.batchSize;
      let told = 0;
      const tell = (c: ReturnType<typeof controller.ask>) =>
        controller.tell(c, { status: "ok", metrics: { validAccuracy: 0.5, validAccuracyHistory: [0.4 + 0.1 * (told++ % 5)], params: 0, flops: 0, latencyMs: 0, trainSeconds: 0 } });
      let last: ReturnType<typeof controller.ask>;
      return {
        prepare: () => {
          const pending = Array.from({ length: CONTROLLER.batchSize }, () => controller.ask());
          for (const c of pending.slice(0, -1)) tell(c);
          last = pending[pending.length - 1];
        },
        step: () => tell(last),
        params: controller.policy.variables().reduce((n, v) => n + v.size, 0),
        flopsPerStep: 3 * 2 * macs,
        dispose: () => {
          controller.policy.dispose();
        },
      };
    },
  };
}

export const WORKLOADS: readonly Workload[] = [
  rawNetwork(BENCH_NETWORKS[0], REFERENCE_CNN_MACS),
  rawNetwork(BENCH_NETWORKS[1], MIXED_OP_MACS),
  dartsStep("darts-step-cpu", { layers: 5, channels: 8 }, [32, 16, 16, 3], 3, true),
  dartsStep("darts-step-paper", { layers: 8, channels: 16 }, [64, 32, 32, 3], 2, false),
  networkWorkload("nb201-step", { kind: "nb201", cell: NB201_CELL.edges, ...NB201_TABLE_NETWORK }, [64, 14, 14, 1], (rng) => new Nb201Network(NB201_CELL, NB201_TABLE_NETWORK, [14, 14, 1], CLASSES, rng)),
  networkWorkload("nasrl-child-step", { kind: "nasrl", layers: NASRL_CHILD.layers, inputPool: 2 }, [50, 28, 28, 1], (rng) => NASRL_SPACE.build(NASRL_CHILD, [28, 28, 1], CLASSES, rng)),
  controllerUpdate(),
];

/** The workloads `names` selects (all of them for "all"), or the default ones. */
export function selectWorkloads(names: readonly string[] | null): Workload[] {
  if (names === null) return WORKLOADS.filter((w) => w.byDefault);
  if (names.includes("all")) return [...WORKLOADS];
  const unknown = names.filter((n) => !WORKLOADS.some((w) => w.name === n));
  if (unknown.length > 0) throw new RangeError(`unknown workload(s) ${unknown.join(", ")}; the workloads are ${WORKLOADS.map((w) => w.name).join(", ")}, or all`);
  return WORKLOADS.filter((w) => names.includes(w.name));
}
