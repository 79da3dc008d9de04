/**
 * What the CLI needs from a search method, whether multi-trial or one-shot. A method looks its
 * scale's preset up once, in `at(scale)`, and everything of the run comes from that one object.
 */
import type { Scale } from "../core/scale";
import type { Json, ProgressCallback, TrialRecord } from "../core/types";
import type { DataSizes, DataSplits, DatasetInfo, DatasetName } from "../data";
import type { RunStore } from "../store/run-store";
import type { ReportSection } from "../viz/report";

export interface MethodContext {
  readonly dataset: DatasetName;
  readonly seed: number;
  readonly splits: DataSplits;
  readonly store: RunStore;
  readonly onProgress: ProgressCallback;
  /** `redis://HOST:PORT`: train the trials on that queue's workers (multi-trial methods). */
  readonly queue?: string;
}

export interface MethodOutcome {
  /** Every trial of the run, in id order (one-shot methods: one per derived genotype evaluated). */
  readonly trials: TrialRecord[];
  /** Trains the chosen trial's genotype once more and scores it on the test split (opened once). */
  finalTest(best: TrialRecord): Promise<number>;
}

/** What a method's report sections are drawn from: the finished run's directory, its trials and its data. */
export interface ReportContext {
  readonly store: RunStore;
  readonly trials: readonly TrialRecord[];
  readonly info: DatasetInfo;
}

/** A method at one scale. */
export interface ScaledMethod {
  /** Data sizes (the CLI loads the splits with them and the run seed). */
  readonly data: DataSizes;
  /** Every setting that fixes the run's results; stored in config.json and compared on resume. */
  readonly settings: { [key: string]: Json };
  run(context: MethodContext): Promise<MethodOutcome>;
  /**
   * The sections report.html adds for this method after the generic ones, drawn from the
   * artifacts its run wrote (alphas.json, controller.json...) and its trials.
   */
  reportSections?(run: ReportContext): ReportSection[];
}

export interface SearchMethod {
  readonly name: string;
  readonly description: string;
  at(scale: Scale): ScaledMethod;
}
