/**
 * SMASH (Brock et al. 2018) as a method: train a HyperNet on NAS-Bench-201's space with a new
 * random cell per minibatch, score many distinct random cells by their validation error with
 * generated weights, train the best-scored few from scratch (trials 0..k-1 of trials.jsonl, the
 * best-scored first), and test the best of those on validation once.
 *
 * The run directory keeps the HyperNet's checkpoint after every epoch (hypernet-checkpoint.json,
 * written atomically) and the scores once made (smash-scores.json), so a killed run resumes
 * from its last epoch, scores nothing twice, and trains no finalist twice. `runSmashSearch` is
 * the HyperNet part alone, which notebook 06 runs at two capacities.
 */
import * as tf from "@tensorflow/tfjs";
import { toJson, toJsonObject } from "../../core/json";
import { Rng } from "../../core/random";
import type { Json, ProgressCallback, TrialRecord } from "../../core/types";
import type { DataSplits } from "../../data";
import { TrainFromScratch } from "../../evaluators/train-from-scratch";
import { formatNb201, validateNb201Genotype, type Nb201Genotype } from "../../spaces/nb201/genotypes";
import { Nb201Space } from "../../spaces/nb201/space";
import type { HyperNetEpoch } from "../../strategies/smash/checkpoint";
import { GeneratedNetwork } from "../../strategies/smash/generated-network";
import type { HyperNetOptions } from "../../strategies/smash/hypernet";
import { bestScored, distinctRandomCells, scoreArchitectures, type ScoredArchitecture } from "../../strategies/smash/score";
import type { MainNetwork } from "../../strategies/smash/main-network";
import { HyperNetTraining, type HyperNetTrainingConfig } from "../../strategies/smash/training";
import { smashPreset, type SmashPreset } from "../presets/smash";
import type { ReportSection } from "../../viz/report";
import type { MethodContext, ReportContext, SearchMethod } from "../search-method";
import { recordTrial, trialSeed } from "../trial";

/** Where a HyperNet's checkpoint is kept between epochs. */
export interface CheckpointSlot {
  read(): Json | null;
  write(checkpoint: Json): void;
}

export interface SmashSearchRequest {
  readonly splits: DataSplits;
  readonly preset: SmashPreset;
  /** Seeds the HyperNet's initialisation, its batches and architectures, and the candidates. */
  readonly seed: number;
  /** The preset's HyperNet unless given (notebook 06's weaker one). */
  readonly hypernet?: HyperNetOptions;
  /** The preset's HyperNet epochs unless given. */
  readonly epochs?: number;
  /** The cells to score; unless given, the preset's number of distinct random cells drawn from the seed. */
  readonly candidates?: readonly Nb201Genotype[];
  /** A checkpoint written after every epoch and read back first; none, no checkpoints. */
  readonly checkpoints?: CheckpointSlot;
  readonly onProgress?: ProgressCallback;
}

export type SmashSearchResult<G extends Json = Nb201Genotype> = {
  /** Every candidate, in draw order, with its score. */
  scored: Array<ScoredArchitecture<G>>;
  history: HyperNetEpoch[];
  hypernet: HyperNetOptions;
  config: HyperNetTrainingConfig;
  hypernetParams: number;
  /** Weights of the main network learned directly (NAS-Bench-201: stem, residual blocks, classifier). */
  directParams: number;
  /** HyperNet training, over every session of a resumed run. */
  trainSeconds: number;
  scoreSeconds: number;
  backend: string;
};

/** The cells a run scores: its seed's draw. */
export function smashCandidates(preset: SmashPreset, seed: number): Nb201Genotype[] {
  return distinctRandomCells(preset.candidates, seed + 1);
}

/** What the HyperNet part of a SMASH search needs, whatever the space. */
export interface SmashRun<G extends Json> {
  readonly network: MainNetwork<G>;
  readonly config: HyperNetTrainingConfig;
  readonly splits: DataSplits;
  readonly candidates: readonly G[];
  readonly scoreBatchSize: number;
  readonly checkpoints?: CheckpointSlot;
  readonly onProgress?: ProgressCallback;
}

/** Trains the network's HyperNet (from its checkpoint, if any) and scores the candidates with its weights; frees the network. */
export async function trainAndScore<G extends Json>(run: SmashRun<G>): Promise<SmashSearchResult<G>> {
  const { network, config, splits, checkpoints, onProgress } = run;
  const training = new HyperNetTraining(network, config);
  try {
    const stored = checkpoints?.read();
    if (stored) training.restore(stored);
    while (!training.done) {
      await training.trainEpoch(splits.train, onProgress);
      checkpoints?.write(toJson(training.checkpoint()));
    }
    const started = performance.now();
    const scored = await scoreArchitectures(network, run.candidates, splits.valid, run.scoreBatchSize, onProgress);
    return {
      scored,
      history: [...training.history],
      hypernet: network.hypernet.options,
      config,
      hypernetParams: network.hypernet.paramCount(),
      directParams: network.directParamCount(),
      trainSeconds: training.history.reduce((s, e) => s + e.seconds, 0),
      scoreSeconds: (performance.now() - started) / 1000,
      backend: tf.getBackend(),
    };
  } finally {
    training.dispose();
    network.dispose();
  }
}

/** Trains a HyperNet on NAS-Bench-201's space (from its checkpoint, if any) and scores the candidates with its weights; frees it. */
export async function runSmashSearch(request: SmashSearchRequest): Promise<SmashSearchResult> {
  const { splits, preset, seed } = request;
  const hypernet = request.hypernet ?? preset.hypernet;
  const config: HyperNetTrainingConfig = { ...preset.training, epochs: request.epochs ?? preset.training.epochs, seed: seed + 2 };
  const network = new GeneratedNetwork(preset.network, hypernet, splits.info.shape, splits.info.numClasses, new Rng(seed));
  const candidates = request.candidates ?? smashCandidates(preset, seed);
  return trainAndScore({ network, config, splits, candidates, scoreBatchSize: preset.scoreBatchSize, checkpoints: request.checkpoints, onProgress: request.onProgress });
}

const CHECKPOINT = "hypernet-checkpoint.json";
const SCORES = "smash-scores.json";

/**
 * The search's result, from the run directory when a session before finished it; else `search`
 * runs with the run directory's checkpoint slot and its result is kept.
 */
export async function searchOnce<G extends Json>(
  context: MethodContext,
  validate: (value: unknown) => G,
  search: (checkpoints: CheckpointSlot) => Promise<SmashSearchResult<G>>,
): Promise<SmashSearchResult<G>> {
  const { store } = context;
  const kept = store.readArtifact(SCORES) as unknown as SmashSearchResult<G> | null;
  // Read back from disk: the genotypes pass the space's door again.
  if (kept) return { ...kept, scored: kept.scored.map((s) => ({ ...s, genotype: validate(s.genotype) })) };
  const result = await search({ read: () => store.readArtifact(CHECKPOINT), write: (c) => store.writeArtifact(CHECKPOINT, c) });
  store.writeArtifact(SCORES, toJson(result));
  return result;
}

/** The finalists trained from scratch, those of an earlier session kept. */
export async function trainFinalists<G extends Json>(
  context: MethodContext,
  evaluator: TrainFromScratch<G>,
  finalists: ReadonlyArray<ScoredArchitecture<G>>,
  searchSeconds: number,
): Promise<TrialRecord[]> {
  const done = context.store.trials((v) => evaluator.space.validate(v));
  const trials: TrialRecord[] = [...done];
  for (let id = done.length; id < finalists.length; id++) {
    const genotype = finalists[id].genotype;
    const evaluate = () => evaluator.evaluate(genotype, { seed: trialSeed(context.seed, id) });
    // The HyperNet's training and scoring are charged to the first finalist, as DARTS charges its search to its cell.
    const trial = await recordTrial(id, genotype, evaluate, id === 0 ? searchSeconds : 0);
    context.store.append(trial);
    trials.push(trial);
  }
  return trials;
}

/** The HyperNet's training, every scored cell's SMASH score, and the finalists' scores beside their accuracies from scratch. */
function smashReportSections(run: ReportContext): ReportSection[] {
  const kept = run.store.readArtifact(SCORES) as unknown as SmashSearchResult | null;
  if (!kept) return [];
  const finalists = run.trials.map((t) => ({ trial: t, scored: kept.scored.find((s) => s.arch === formatNb201(validateNb201Genotype(t.genotype))) }));
  return [
    {
      heading: "HyperNet and scores",
      text:
        `The HyperNet (${kept.hypernetParams} weights; ${kept.directParams} more learned directly) trained ${kept.history.length} epochs in ${kept.trainSeconds.toFixed(1)} s, ` +
        `then scored ${kept.scored.length} cells in ${kept.scoreSeconds.toFixed(1)} s by their validation error with generated weights; the ${run.trials.length} best-scored were trained from scratch.`,
      figures: [
        {
          data: [{ type: "histogram", x: kept.scored.map((s) => s.score), name: "scored cells" }],
          layout: { title: { text: "SMASH score of every scored cell (validation error with generated weights)" }, xaxis: { title: { text: "SMASH score (lower is better)" } }, yaxis: { title: { text: "cells" } } },
        },
      ],
      tables: [
        { caption: "HyperNet training per epoch (smash-scores.json)", data: kept.history.map((e) => ({ epoch: e.epoch, loss: e.loss, seconds: e.seconds })) },
        {
          caption: "Finalists: SMASH score and validation accuracy from scratch",
          data: finalists.map(({ trial, scored }) => ({ trial: trial.id, cell: scored?.arch ?? "", "SMASH score": scored?.score ?? null, "validation accuracy (from scratch)": trial.metrics?.validAccuracy ?? null })),
        },
      ],
    },
  ];
}

export const smashMethod: SearchMethod = {
  name: "smash",
  description: "SMASH: a HyperNet generates every candidate's weights; the best-scored cells are trained from scratch",
  at(scale) {
    const preset = smashPreset(scale);
    const { data, network, hypernet, training, candidates, scoreBatchSize, finalists, fidelity, hyperparameters } = preset;
    return {
      data,
      settings: toJsonObject({ space: "nb201", data, network, hypernet, training, candidates, scoreBatchSize, finalists, fidelity, hyperparameters }),
      async run(context) {
        const space = new Nb201Space(network);
        const evaluator = new TrainFromScratch(space, context.splits, fidelity, hyperparameters);
        const search = await searchOnce(context, validateNb201Genotype, (checkpoints) =>
          runSmashSearch({ splits: context.splits, preset, seed: context.seed, checkpoints, onProgress: context.onProgress }),
        );
        const trials = await trainFinalists(context, evaluator, bestScored(search.scored, finalists), search.trainSeconds + search.scoreSeconds);
        return {
          trials,
          finalTest: (best) => evaluator.finalTest(space.validate(best.genotype), context.seed, "final test of SMASH's pick"),
        };
      },
      reportSections: smashReportSections,
    };
  },
};
