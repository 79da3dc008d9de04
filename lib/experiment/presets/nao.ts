/**
 * NAO's sizes per scale, shared by the CLI and notebook 05. NAO searches NAS-Bench-201's cell
 * space trained for real: that space also has a table (nb201-fashion-mnist), and the network,
 * data and fidelity here are the table's of the same scale (presets/benchmark.ts), so a cell NAO
 * trains can be set beside the accuracy the table looked up for it, and NAO on the table
 * (tabular preset) searches exactly what it searches here. Six tokens of five ops is also a
 * sequence short enough for the encoder-decoder to learn from a few dozen architectures.
 * One base (the paper's model and search loop) with per-scale overrides; `reductions` says
 * what each scale changes, plainly.
 */
import type { Scale } from "../../core/scale";
import type { Fidelity } from "../../core/types";
import type { DataSizes } from "../../data";
import type { Nb201NetworkOptions } from "../../spaces/nb201/skeleton";
import { NAO_PAPER_MODEL } from "../../strategies/nao/model";
import type { NaoSearchOptions } from "../../strategies/nao/search";
import { benchmarkPreset } from "./benchmark";

export interface NaoPreset {
  readonly data: DataSizes;
  /** The network each cell is trained in (the table's). */
  readonly network: Nb201NetworkOptions;
  readonly fidelity: Fidelity;
  /** Trials per search (NAO and its random baseline alike). */
  readonly budget: number;
  /** Candidates asked before any is told: NAO's new architectures per round, so a round trains in parallel. */
  readonly round: number;
  readonly search: NaoSearchOptions;
  readonly reductions: string;
}

/** What notebook 05 adds: the seeds of the real searches. */
export interface NaoNotebookPreset extends NaoPreset {
  readonly seeds: readonly number[];
}

/**
 * The paper's encoder (LSTM 96, embedding 48), predictor (3 x 200, sigmoid), loss weights and
 * Adam 1e-3; NAO's code's minibatch of 100; lambda raised geometrically from 1 (NAO's code
 * raises it by 1 per try, up to 100; 8 doublings reach 128).
 */
const BASE: NaoSearchOptions = {
  model: NAO_PAPER_MODEL,
  initial: 8,
  perRound: 4,
  topK: 4,
  epochs: 100,
  batchSize: 100,
  lambda: 1,
  lambdaGrowth: 2,
  lambdaSteps: 8,
};

const ALWAYS = "NAS-Bench-201's cell space (paper: NASNet-like cells on CIFAR-10), trained as the nb201-fashion-mnist table trains it; lambda doubled per try (NAO's code adds 1)";

/** The table's network, data and fidelity at `scale`. */
function tableSettings(scale: Scale): Pick<NaoPreset, "data" | "network" | "fidelity"> {
  const { data, network, fidelity } = benchmarkPreset(scale);
  return { data, network, fidelity };
}

const PRESETS: Record<Scale, NaoNotebookPreset> = {
  smoke: {
    ...tableSettings("smoke"),
    budget: 8,
    round: 2,
    search: { ...BASE, model: { ...NAO_PAPER_MODEL, hiddenSize: 16, embeddingSize: 8, predictorUnits: 32 }, initial: 4, perRound: 2, topK: 2, epochs: 5, batchSize: 8 },
    seeds: [1, 2, 3],
    reductions: `smoke: 8 cells (4 random, then 2 rounds of 2), a model of 16 LSTM units and 32 predictor units trained 5 epochs per round; checks the pipeline only; ${ALWAYS}`,
  },
  quick: {
    ...tableSettings("quick"),
    budget: 20,
    round: 4,
    search: BASE,
    seeds: [1, 2, 3],
    reductions:
      "quick: the shipped table's network (C = 8, N = 1) and training (3 epochs on 2,000 Fashion-MNIST images at 14x14); " +
      `20 cells per search (8 random, then 3 rounds of 4 from the best 4; paper: hundreds per round), the model trained 100 epochs per round; ${ALWAYS}`,
  },
  paper: {
    ...tableSettings("paper"),
    budget: 200,
    round: 20,
    search: { ...BASE, initial: 100, perRound: 20, topK: 50, epochs: 200 },
    seeds: [1, 2, 3],
    reductions:
      "paper: for CIFAR-10 on a GPU, NAS-Bench-201's network (C = 16, N = 5) and 200 epochs; 200 cells per search (100 random, then rounds of 20 from the best 50), " +
      `the model trained 200 epochs per round (NAO's code: 1,000); training without NAS-Bench-201's weight decay 5e-4 (nasbook's default); ${ALWAYS}`,
  },
};

export function naoPreset(scale: Scale): NaoPreset {
  const { seeds: _seeds, ...preset } = PRESETS[scale];
  return preset;
}

export function naoNotebookPreset(scale: Scale): NaoNotebookPreset {
  return PRESETS[scale];
}
