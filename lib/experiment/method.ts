/** What the CLI needs from a search method, whether multi-trial or one-shot. */
import type { Scale } from "../core/scale";
import type { Json, ProgressCallback, TrialRecord } from "../core/types";
import type { DataSplits, DatasetName } from "../data";
import type { RunStore } from "../store/run-store";
import type { DataSizes } from "./presets";

export interface MethodContext {
  readonly dataset: DatasetName;
  readonly scale: Scale;
  readonly seed: number;
  readonly splits: DataSplits;
  readonly store: RunStore;
  readonly onProgress: ProgressCallback;
}

export interface MethodOutcome {
  /** Every trial of the run, in id order (one-shot methods: one per derived genotype evaluated). */
  readonly trials: TrialRecord[];
  /** Trains the chosen trial's genotype once more and scores it on the test split (opened once). */
  finalTest(best: TrialRecord): Promise<number>;
}

export interface SearchMethod {
  readonly name: string;
  readonly description: string;
  /** Data sizes for a scale (the CLI loads the splits with them). */
  dataSizes(scale: Scale): DataSizes;
  /** Every setting that fixes the run's results; stored in config.json and compared on resume. */
  settings(scale: Scale): { [key: string]: Json };
  run(context: MethodContext): Promise<MethodOutcome>;
}
