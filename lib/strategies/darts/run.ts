/**
 * One DARTS-family search, start to finish, as the CLI and the notebook run it: build the
 * supernet for the scale, search on the two halves of the training split, derive the cell.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../core/random";
import type { Scale } from "../../core/scale";
import { mean } from "../../core/stats";
import type { ProgressCallback } from "../../core/types";
import type { DataSplits } from "../../data";
import type { SkeletonOptions } from "../../spaces/darts/skeleton";
import { DartsSupernet } from "../../spaces/darts/supernet";
import { dartsPreset, type SearchSettings } from "./presets";
import { GDAS_TAU, dartsSearch, searchHalves, type DartsSearchConfig, type DartsSearchResult, type SearchCallbacks } from "./search";

export type DartsMethod = "darts" | "darts2" | "gdas";
export const DARTS_METHODS: readonly DartsMethod[] = ["darts", "darts2", "gdas"];

/**
 * A scale's search settings for one method (darts = first order, darts2 = second order,
 * gdas = Gumbel sampling): everything of the search's config but the seed.
 */
export function dartsSearchSettings(method: DartsMethod, settings: SearchSettings): Omit<DartsSearchConfig, "seed"> {
  return { ...settings, order: method === "darts2" ? 2 : 1, gdasTau: method === "gdas" ? GDAS_TAU : null };
}

export interface DartsRunOptions {
  readonly splits: DataSplits;
  readonly scale: Scale;
  readonly seed: number;
  readonly method: DartsMethod;
  readonly onProgress?: ProgressCallback;
  readonly onEpoch?: SearchCallbacks["onEpoch"];
  /** Changes to the scale's search settings (e.g. fewer epochs). */
  readonly search?: Partial<SearchSettings>;
  /** Changes to the scale's supernet size. */
  readonly supernet?: Partial<SkeletonOptions>;
}

export interface DartsRunResult extends DartsSearchResult {
  readonly method: DartsMethod;
  /** Every setting of the search, for config.json and the notebook's printout. */
  readonly config: DartsSearchConfig;
  readonly supernet: SkeletonOptions;
  readonly supernetParams: number;
  /** The tfjs backend the search ran on. */
  readonly backend: string;
  readonly secondsPerEpoch: number;
}

export async function runDartsSearch(options: DartsRunOptions): Promise<DartsRunResult> {
  const { splits, scale, seed, method } = options;
  const preset = dartsPreset(scale);
  const config: DartsSearchConfig = { ...dartsSearchSettings(method, { ...preset.search, ...options.search }), seed };
  const supernetOptions: SkeletonOptions = { ...preset.supernet, ...options.supernet };
  const supernet = new DartsSupernet(supernetOptions, splits.info.shape, splits.info.numClasses, new Rng(seed));
  try {
    const result = await dartsSearch(supernet, searchHalves(splits.train), config, {
      onProgress: options.onProgress,
      onEpoch: options.onEpoch,
    });
    return {
      ...result,
      method,
      config,
      supernet: supernetOptions,
      supernetParams: supernet.weights().reduce((n, v) => n + v.size, 0),
      backend: tf.getBackend(),
      secondsPerEpoch: mean(result.epochs.map((e) => e.seconds)),
    };
  } finally {
    supernet.dispose();
  }
}
