/**
 * ENAS on its macro space (`enas-macro`), and the same search with uniform sampling, per scale.
 * `paper` keeps ENAS's macro search (scripts/cifar10_macro_search.sh: 12 layers of 36 channels,
 * reductions after layers 3 and 7, 310 epochs of batch 128, l2 2.5e-4, 50 controller steps of 20
 * architectures) on the dataset given (ENAS: CIFAR-10). The search sees the two halves of the training split (shared
 * weights on one, rewards and derivation on the other); the chosen architecture is then trained
 * from scratch in the searched network restricted to its ops.
 */
import type { Scale } from "../../core/scale";
import type { Fidelity } from "../../core/types";
import type { DataSizes } from "../../data";
import type { TrainingHyperparameters } from "../../evaluators/train-from-scratch";
import type { EnasMacroSpaceOptions } from "../../spaces/enas";
import { ENAS_MACRO_CONTROLLER, type EnasConfig } from "../../strategies/enas/search";
import { ENAS_SHARED_WEIGHTS } from "../../strategies/enas/shared-weights";

export interface EnasMacroPreset {
  /** The search splits `train` in two halves; `valid` is the final training's. */
  readonly data: DataSizes;
  /** The space searched: L layers of C channels (reductions where ENAS puts them, from L). */
  readonly space: EnasMacroSpaceOptions;
  /** Every setting of ENAS's search but the sampler and the seed. */
  readonly search: Omit<EnasConfig, "sampler" | "seed">;
  /** The chosen architecture trained from scratch. */
  readonly fidelity: Fidelity;
  readonly hyperparameters: TrainingHyperparameters;
  /** Notebook 03's macro section: the search seeds of both samplers. */
  readonly notebook: { readonly seeds: readonly number[] };
  /** What this scale changes from ENAS's macro search, said plainly. */
  readonly reductions: string;
}

const ALWAYS =
  "the width kept constant through the reductions and the skips summed then batch-normalised, in search and final training alike (ENAS's final child doubles " +
  "the width and concatenates with a 1x1 conv); no auxiliary head, dropout or drop-path; plain momentum where ENAS has Nesterov; " +
  "the entropy bonus in the controller's objective where ENAS adds it to the reward; skips sampled with P = sigmoid(x) where ENAS's code uses sigmoid(2x)";

type SearchSettings = Pick<EnasConfig, "epochs" | "batchSize" | "controllerSteps" | "deriveSamples">;

function preset(search: SearchSettings, rest: Omit<EnasMacroPreset, "search">): EnasMacroPreset {
  // ENAS's macro search: child_l2_reg = 2.5e-4 (its micro search: 1e-4).
  const sharedWeights = { ...ENAS_SHARED_WEIGHTS, weightDecay: 2.5e-4 };
  return { ...rest, search: { ...sharedWeights, controller: ENAS_MACRO_CONTROLLER, batchNorm: "batch", ...search } };
}

const PRESETS: Record<Scale, EnasMacroPreset> = {
  smoke: preset(
    { epochs: 2, batchSize: 16, controllerSteps: 1, deriveSamples: 4 },
    {
      data: { trainSize: 64, validSize: 32, testSize: 32, downsample: 2 },
      space: { layers: 3, channels: 2 },
      fidelity: { epochs: 1, batchSize: 16 },
      hyperparameters: {},
      notebook: { seeds: [1, 2, 3] },
      reductions: `smoke: L = 3 (reductions after layers 0 and 1), C = 2, 32 + 32 search images at 14x14, 2 epochs, 1 controller step of 20; checks the pipeline only; ${ALWAYS}`,
    },
  ),
  quick: preset(
    { epochs: 10, batchSize: 64, controllerSteps: 3, deriveSamples: 20 },
    {
      data: { trainSize: 2000, validSize: 1000, testSize: 2000, downsample: 2 },
      space: { layers: 6, channels: 8 },
      fidelity: { epochs: 3, batchSize: 64 },
      hyperparameters: {},
      notebook: { seeds: [1, 2, 3] },
      reductions:
        "quick: Fashion-MNIST at 14x14, L = 6 (reductions after layers 1 and 3; ENAS: 12, after 3 and 7), C = 8 (ENAS: 36), searching on 1,000 + 1,000 images " +
        "(ENAS: 45k CIFAR-10), 10 epochs of batch 64 (ENAS: 310 of 128), 3 controller steps of 20 per epoch (ENAS: 50), 20 derivation samples; " +
        `the chosen architecture trained 3 epochs on 2,000 images (ENAS: 310 epochs on 50k); ${ALWAYS}`,
    },
  ),
  paper: preset(
    { epochs: 310, batchSize: 128, controllerSteps: 50, deriveSamples: 100 },
    {
      data: { validSize: 5000 },
      space: { layers: 12, channels: 36 },
      fidelity: { epochs: 20, batchSize: 128 },
      hyperparameters: {},
      notebook: { seeds: [1, 2, 3] },
      reductions:
        "paper: ENAS's macro search settings (L = 12, C = 36, reductions after layers 3 and 7, 310 epochs of batch 128, 50 controller steps of 20) " +
        `on the dataset given (ENAS: CIFAR-10), its training split (45k images on CIFAR-10) in halves; the chosen architecture trained 20 epochs (ENAS: 310, width doubled at each reduction); ${ALWAYS}`,
    },
  ),
};

export function enasMacroPreset(scale: Scale): EnasMacroPreset {
  return PRESETS[scale];
}
