/**
 * SMASH on its own memory-bank space, per scale: the space (spaces/smash), its HyperNet and
 * training, the candidates scored and how a finalist is trained from scratch. The data are
 * SMASH's NAS-Bench-201 preset's of the same scale (presets/smash.ts), so notebook 06's two
 * spaces see the same images. `reductions` names every departure from the paper.
 */
import type { Scale } from "../../core/scale";
import type { MemoryBankSpaceOptions } from "../../spaces/smash/genotypes";
import { SMASH_SGD, smashPreset, type HyperNetSearchPreset } from "./smash";

export interface SmashBanksPreset extends HyperNetSearchPreset {
  readonly space: MemoryBankSpaceOptions;
  /** Notebook 06: candidates trained from scratch for the score-against-true-error figure. */
  readonly trainedArchitectures: number;
}

/** Every scale departs from the paper alike here. */
const ALWAYS =
  "a fixed number of banks per block and a fixed bank width per block (doubling per block), where the paper samples both; " +
  "one filter size, dilation and group count per op, and op widths as a factor of the bank width, where the paper samples them per layer; " +
  "a convolutional HyperNet of two 3x3 layers over the encoding generating one whole kernel per location, slices of it for narrower ops " +
  "(the paper's is a DenseNet, one location per output-channel slice); stem, transitions and classifier learned directly, as in the paper; " +
  "BatchNorm on batch statistics when scoring; momentum SGD with a cosine learning rate (the paper: Adam)";

const PRESETS: Record<Scale, Omit<SmashBanksPreset, "data">> = {
  smoke: {
    space: { blocks: 2, banks: 2, bankChannels: 2, maxOps: 2, maxLayers: 2, widthFactors: [1, 2], kernels: [3], dilations: [1, 2], groups: [1, 2] },
    hypernet: { hidden: 4 },
    weakHypernet: { hidden: 2 },
    weakEpochs: 1,
    training: { ...SMASH_SGD, epochs: 3, batchSize: 50 },
    candidates: 8,
    scoreBatchSize: 100,
    finalists: 2,
    fidelity: { epochs: 1, batchSize: 50 },
    hyperparameters: {},
    trainedArchitectures: 4,
    reductions: `smoke: 2 blocks of 2 banks of 2 and 4 channels, at most 2 ops of at most 2 conv layers, 3x3 filters only, 3 HyperNet epochs, 8 networks scored, 2 trained for 1 epoch; checks the pipeline only; ${ALWAYS}`,
  },
  quick: {
    space: { blocks: 2, banks: 3, bankChannels: 4, maxOps: 3, maxLayers: 2, widthFactors: [1, 2], kernels: [3, 5], dilations: [1, 2], groups: [1, 2] },
    hypernet: { hidden: 16 },
    weakHypernet: { hidden: 2 },
    weakEpochs: 2,
    training: { ...SMASH_SGD, epochs: 12, batchSize: 64 },
    candidates: 60,
    scoreBatchSize: 250,
    finalists: 3,
    fidelity: { epochs: 3, batchSize: 64 },
    hyperparameters: {},
    trainedArchitectures: 24,
    reductions:
      "quick: 2 blocks (14x14, 7x7; the paper 3) of 3 banks of 4 and 8 channels, 1 to 3 ops per block of 1 to 2 conv layers, " +
      "filters 3 or 5, dilation 1 or 2, 1 or 2 groups, width factor 1 or 2; 2,000 Fashion-MNIST training images at 14x14; " +
      `a HyperNet of 16 channels trained 12 epochs; 60 networks scored, the best 3 trained 3 epochs; ${ALWAYS}`,
  },
  paper: {
    space: { blocks: 3, banks: 4, bankChannels: 16, maxOps: 6, maxLayers: 3, widthFactors: [1, 2], kernels: [3, 5], dilations: [1, 2, 3], groups: [1, 2, 4] },
    hypernet: { hidden: 16 },
    weakHypernet: { hidden: 4 },
    weakEpochs: 25,
    training: { ...SMASH_SGD, epochs: 100, batchSize: 64 },
    candidates: 500,
    scoreBatchSize: 500,
    finalists: 5,
    fidelity: { epochs: 100, batchSize: 128 },
    hyperparameters: { weightDecay: 5e-4 },
    trainedArchitectures: 50,
    reductions:
      "paper: for CIFAR-10 on a GPU: 3 blocks of 4 banks of 16, 32, 64 channels, up to 6 ops of up to 3 conv layers, filters 3/5 (the paper also 7), " +
      "dilations 1/2/3, groups 1/2/4, width factors 1/2 (wider ops and 7x7 filters would take the HyperNet's whole-kernel heads past a checkpoint's size); " +
      `a HyperNet of 16 channels (22M parameters) trained 100 epochs; 500 networks scored, the best 5 trained 100 epochs; ${ALWAYS}`,
  },
};

export function smashBanksPreset(scale: Scale): SmashBanksPreset {
  return { data: smashPreset(scale).data, ...PRESETS[scale] };
}
