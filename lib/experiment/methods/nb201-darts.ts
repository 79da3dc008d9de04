/**
 * DARTS (first and second order) and GDAS on NAS-Bench-201's cell space, with real supernet
 * training, as NAS-Bench-201 scores one-shot methods: the derived cell is not trained here but
 * looked up in the benchmark table (a notebook does that with `loadBenchmark`). The search sees
 * only the two halves of a training split of Fashion-MNIST, at the table's data settings.
 */
import { Rng } from "../../core/random";
import type { Scale } from "../../core/scale";
import type { ProgressCallback } from "../../core/types";
import { loadDataset } from "../../data";
import { formatNb201, type Nb201Genotype } from "../../spaces/nb201/genotypes";
import type { Nb201NetworkOptions } from "../../spaces/nb201/skeleton";
import { Nb201Supernet, type Nb201AlphaName } from "../../spaces/nb201/supernet";
import { deriveNb201Genotype } from "../../strategies/darts/derive-nb201";
import type { DartsSearchConfig, SearchCallbacks } from "../../strategies/darts/search";
import { nb201DartsPreset } from "../presets/nb201-darts";
import { dartsSearchSettings, runOneShot, type DartsMethod, type OneShotRunResult } from "./darts";

export interface Nb201OneShotOptions {
  readonly method: DartsMethod;
  /** Seeds the data split, the supernet's initialisation, the batches and GDAS's samples. */
  readonly seed: number;
  readonly scale: Scale;
  readonly onProgress?: ProgressCallback;
  readonly onEpoch?: SearchCallbacks<Nb201AlphaName, Nb201Genotype>["onEpoch"];
}

export interface Nb201OneShotResult extends OneShotRunResult<Nb201AlphaName, Nb201Genotype> {
  /** The derived cell's architecture string, which the table is indexed by. */
  readonly arch: string;
  readonly supernet: Nb201NetworkOptions;
  /** What the scale changes from NAS-Bench-201's search. */
  readonly reductions: string;
}

/** The search's config for one method at one scale: GDAS runs its own number of epochs. */
export function nb201SearchConfig(method: DartsMethod, scale: Scale, seed: number): DartsSearchConfig {
  const { search, gdasEpochs } = nb201DartsPreset(scale);
  const settings = dartsSearchSettings(method, search);
  return { ...settings, epochs: method === "gdas" ? gdasEpochs : settings.epochs, seed };
}

/** One search, start to finish: load the data, build the supernet, search, derive the cell. */
export async function runNb201OneShot(options: Nb201OneShotOptions): Promise<Nb201OneShotResult> {
  const { method, seed, scale, onProgress, onEpoch } = options;
  const preset = nb201DartsPreset(scale);
  const splits = await loadDataset("fashion-mnist", { seed, ...preset.data });
  const supernet = new Nb201Supernet(preset.supernet, splits.info.shape, splits.info.numClasses, new Rng(seed));
  const config = nb201SearchConfig(method, scale, seed);
  const run = await runOneShot({ method, config, supernet, derive: deriveNb201Genotype, train: splits.train, callbacks: { onProgress, onEpoch } });
  return { ...run, arch: formatNb201(run.genotype), supernet: preset.supernet, reductions: preset.reductions };
}
