/**
 * DARTS, second-order DARTS and GDAS as methods. The one-shot search runs its own loop; the run
 * directory still reads like every other: the derived genotype is trained from scratch as trial 0
 * of trials.jsonl, and the alpha history and losses are kept in alphas.json. The search writes a
 * checkpoint after every epoch (search-checkpoint.ts), so a run killed while searching resumes from
 * its last epoch; one killed later resumes from trials.jsonl. `runDartsSearch` is the search
 * alone, which notebook 04 runs for its figures.
 */
import * as tf from "@tensorflow/tfjs";
import { RunStoreError, UsageError } from "../../core/errors";
import { toJson, toJsonObject } from "../../core/json";
import { Rng } from "../../core/random";
import { mean } from "../../core/stats";
import type { ProgressCallback, TrialRecord } from "../../core/types";
import { augmentsByDefault, type DataSplits, type Subset } from "../../data";
import { TrainFromScratch } from "../../evaluators/train-from-scratch";
import type { CellType, DartsGenotype } from "../../spaces/darts/genotypes";
import type { SkeletonOptions } from "../../spaces/darts/skeleton";
import { DartsSpace } from "../../spaces/darts/space";
import { DartsSupernet } from "../../spaces/darts/supernet";
import type { Supernet } from "../../spaces/supernet";
import { deriveGenotype } from "../../strategies/darts/derive";
import {
  GDAS_TAU,
  searchHalves,
  supernetSearch,
  type DartsSearchConfig,
  type Derive,
  type SearchCallbacks,
  type SearchCheckpoint,
  type SupernetSearchResult,
} from "../../strategies/darts/search";
import { dartsPreset, type DartsPreset, type SearchSettings } from "../presets/darts";
import { SEARCH_CHECKPOINT, readSearchCheckpoint, writeSearchCheckpoint } from "../search-checkpoint";
import type { MethodContext, SearchMethod } from "../search-method";
import { recordTrial, trialSeed } from "../trial";
import { ALPHAS_ARTIFACT, dartsReportSections } from "./darts-report";

export type DartsMethod = "darts" | "darts2" | "gdas";
export const DARTS_METHODS: readonly DartsMethod[] = ["darts", "darts2", "gdas"];

const DESCRIPTIONS: Record<DartsMethod, string> = {
  darts: "DARTS, first order: a weight-sharing supernet, architecture weights by gradient descent",
  darts2: "DARTS, second order: the unrolled architecture gradient with a finite-difference Hessian-vector product",
  gdas: "GDAS: DARTS with one op per edge sampled by hard Gumbel-softmax",
};

/**
 * A scale's search settings for one method (darts = first order, darts2 = second order,
 * gdas = Gumbel sampling): everything of the search's config but the seed.
 */
export function dartsSearchSettings(method: DartsMethod, settings: SearchSettings): Omit<DartsSearchConfig, "seed"> {
  return { ...settings, order: method === "darts2" ? 2 : 1, gdasTau: method === "gdas" ? GDAS_TAU : null };
}

export interface DartsRunOptions {
  readonly splits: DataSplits;
  /** The supernet and the search settings, as a scale's `dartsPreset` gives them. */
  readonly preset: Pick<DartsPreset, "supernet" | "search">;
  readonly seed: number;
  readonly method: DartsMethod;
  readonly onProgress?: ProgressCallback;
  readonly onEpoch?: SearchCallbacks<CellType, DartsGenotype>["onEpoch"];
  readonly onCheckpoint?: SearchCallbacks<CellType, DartsGenotype>["onCheckpoint"];
  /** A checkpoint of this same search to continue from. */
  readonly resume?: SearchCheckpoint<CellType, DartsGenotype>;
}

/** A one-shot search of any cell space, as its run function hands it over. */
export interface OneShotRequest<K extends string, G> {
  readonly method: DartsMethod;
  readonly config: DartsSearchConfig;
  /** Freed once searched. */
  readonly supernet: Supernet<K>;
  readonly derive: Derive<K, G>;
  /** The training split: the search uses its two halves. */
  readonly train: Subset;
  readonly callbacks: SearchCallbacks<K, G>;
  readonly resume?: SearchCheckpoint<K, G>;
}

/** What a one-shot run reports beside its search's result. */
export interface OneShotRunResult<K extends string, G> extends SupernetSearchResult<K, G> {
  readonly method: DartsMethod;
  /** Every setting of the search, for config.json and the notebook's printout. */
  readonly config: DartsSearchConfig;
  readonly supernetParams: number;
  /** The tfjs backend the search ran on. */
  readonly backend: string;
  readonly secondsPerEpoch: number;
}

/** Searches on the two halves of the training split, derives the cell, frees the supernet. */
export async function runOneShot<K extends string, G>(request: OneShotRequest<K, G>): Promise<OneShotRunResult<K, G>> {
  const { method, config, supernet } = request;
  try {
    const result = await supernetSearch(supernet, searchHalves(request.train), config, request.derive, request.callbacks, request.resume);
    return {
      ...result,
      method,
      config,
      supernetParams: supernet.weights().reduce((n, v) => n + v.size, 0),
      backend: tf.getBackend(),
      secondsPerEpoch: mean(result.epochs.map((e) => e.seconds)),
    };
  } finally {
    supernet.dispose();
  }
}

export interface DartsRunResult extends OneShotRunResult<CellType, DartsGenotype> {
  readonly supernet: SkeletonOptions;
}

/** One search, start to finish: build the supernet, search on the two halves of the training split, derive the cell. */
export async function runDartsSearch(options: DartsRunOptions): Promise<DartsRunResult> {
  const { splits, preset, seed, method, onProgress, onEpoch, onCheckpoint, resume } = options;
  const config: DartsSearchConfig = { ...dartsSearchSettings(method, preset.search), seed };
  const supernet = new DartsSupernet(preset.supernet, splits.info.shape, splits.info.numClasses, new Rng(seed));
  const callbacks = { onProgress, onEpoch, onCheckpoint };
  const run = await runOneShot({ method, config, supernet, derive: deriveGenotype, train: splits.train, callbacks, resume });
  return { ...run, supernet: preset.supernet };
}

/** Searches, keeps the alpha history, and trains the derived cell from scratch as trial 0. */
async function searchAndEvaluate(
  context: MethodContext,
  preset: DartsPreset,
  evaluator: TrainFromScratch<DartsGenotype>,
  method: DartsMethod,
): Promise<TrialRecord<DartsGenotype>> {
  const { store } = context;
  const resume = readSearchCheckpoint<CellType, DartsGenotype>(store) ?? undefined;
  const result = await runDartsSearch({
    splits: context.splits,
    preset,
    seed: context.seed,
    method,
    onProgress: context.onProgress,
    onCheckpoint: (checkpoint) => writeSearchCheckpoint(store, checkpoint),
    resume,
  }).catch((error: unknown) => {
    // Restoring is where a search raises a RunStoreError: a checkpoint that is not this search's.
    if (resume && error instanceof RunStoreError) throw new RunStoreError(`${store.path(SEARCH_CHECKPOINT)}: ${error.message} Delete the file to search again.`);
    throw error;
  });
  context.store.writeArtifact(
    ALPHAS_ARTIFACT,
    toJson({ alphaHistory: result.alphaHistory, losses: result.losses, epochs: result.epochs, secondsPerEpoch: result.secondsPerEpoch }),
  );
  const evaluate = () => evaluator.evaluate(result.genotype, { seed: trialSeed(context.seed, 0) });
  const trial = await recordTrial(0, result.genotype, evaluate, result.wallSeconds);
  context.store.append(trial);
  return trial;
}

function dartsMethod(method: DartsMethod): SearchMethod {
  return {
    name: method,
    description: DESCRIPTIONS[method],
    at(scale) {
      const preset = dartsPreset(scale);
      const { data, supernet, search, network, fidelity } = preset;
      return {
        data,
        settings: toJsonObject({ space: "darts", data, supernet, search: dartsSearchSettings(method, search), network, fidelity }),
        async run(context) {
          if (context.queue) throw new UsageError(`--queue puts the trials of a multi-trial method on workers; ${method} trains one supernet here.`);
          const space = new DartsSpace(network);
          const evaluator = new TrainFromScratch(space, context.splits, fidelity, { augment: augmentsByDefault(context.dataset) });
          const stored = context.store.trials((genotype) => space.validate(genotype));
          const trial = stored.length > 0 ? stored[0] : await searchAndEvaluate(context, preset, evaluator, method);
          return {
            trials: [trial],
            finalTest: (best) => evaluator.finalTest(space.validate(best.genotype), context.seed, `final test of the ${method} cell`),
          };
        },
        reportSections: (run) => dartsReportSections(run, new DartsSpace(network), method === "gdas"),
      };
    },
  };
}

export const dartsMethods: readonly SearchMethod[] = DARTS_METHODS.map(dartsMethod);
