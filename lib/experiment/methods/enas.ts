/**
 * ENAS, ENAS with its controller replaced by uniform sampling, and random search with weight
 * sharing, on NAS-Bench-201's cell space with real shared-weights training on Fashion-MNIST.
 * The search sees only the two halves of the training split (shared weights on one, rewards
 * and scoring on the other); as NAS-Bench-201 scores one-shot methods, a notebook looks the
 * chosen cell up in the benchmark table, and the CLI trains it from scratch as trial 0. The
 * search checkpoints after every epoch (shared weights, BatchNorm statistics, SGD momentum,
 * controller and Adam state, random state), so a killed run resumes from its last epoch.
 */
import * as tf from "@tensorflow/tfjs";
import { RunStoreError } from "../../core/errors";
import { toJson, toJsonObject } from "../../core/json";
import { Rng } from "../../core/random";
import type { Scale } from "../../core/scale";
import type { Json, ProgressCallback, TrialRecord } from "../../core/types";
import type { Subset } from "../../data";
import { TrainFromScratch } from "../../evaluators/train-from-scratch";
import { nb201Svg } from "../../spaces/nb201/draw";
import { NB201_OPS, formatNb201, type Nb201Genotype } from "../../spaces/nb201/genotypes";
import { Nb201SinglePath } from "../../spaces/nb201/single-path";
import { Nb201Space } from "../../spaces/nb201/space";
import type { SinglePathNet } from "../../spaces/single-path";
import { searchHalves } from "../../strategies/darts/search";
import { randomWsSelect, type RandomWsOptions, type RandomWsSelection } from "../../strategies/enas/random-ws";
import { EnasSearch, type EnasCheckpoint, type EnasConfig, type EnasDerivation, type EnasEpochRecord } from "../../strategies/enas/search";
import { choiceRows, controllerProbabilityFigure, rewardFigure } from "../../viz/controller-figures";
import type { ReportSection } from "../../viz/report";
import { enasPreset, type EnasPreset } from "../presets/enas";
import type { RunStore } from "../../store/run-store";
import type { MethodContext, ReportContext, SearchMethod } from "../search-method";
import { recordTrial, trialSeed } from "../trial";

export type WeightSharingMethod = "enas" | "enas-uniform" | "random-ws";
export const WEIGHT_SHARING_METHODS: readonly WeightSharingMethod[] = ["enas", "enas-uniform", "random-ws"];

const DESCRIPTIONS: Record<WeightSharingMethod, string> = {
  enas: "ENAS: shared weights, an LSTM controller trained by REINFORCE on their validation accuracy (NAS-Bench-201's space)",
  "enas-uniform": "ENAS with its controller replaced by uniform sampling, everything else equal (NAS-Bench-201's space)",
  "random-ws": "Random search with weight sharing: a uniformly trained supernet, random cells scored, the top 10 re-ranked (NAS-Bench-201's space)",
};

/** The search's config for one method: random-WS trains with uniform sampling and no controller steps. */
export function weightSharingConfig(method: WeightSharingMethod, preset: EnasPreset, seed: number): EnasConfig {
  const sampler = method === "enas" ? "controller" : "uniform";
  return { ...preset.search, sampler, controllerSteps: method === "random-ws" ? 0 : preset.search.controllerSteps, seed };
}

export function randomWsOptions(preset: EnasPreset): RandomWsOptions {
  return { ...preset.randomWs, batchSize: preset.search.batchSize, batchNorm: preset.search.batchNorm };
}

/** Where a search keeps its checkpoint: a run directory's artifact, or nowhere. */
export interface CheckpointStore {
  load(): EnasCheckpoint | null;
  save(checkpoint: EnasCheckpoint): void;
}

/** What every weight-sharing search run is given (this file's, and ENAS's macro search). */
export interface SharedWeightsRunOptions {
  readonly seed: number;
  readonly scale: Scale;
  /** The training split; the search uses its two halves. */
  readonly train: Subset;
  readonly onProgress?: ProgressCallback;
  readonly onEpoch?: (record: EnasEpochRecord) => void;
  readonly checkpoints?: CheckpointStore;
}

export interface WeightSharingRunOptions extends SharedWeightsRunOptions {
  readonly method: WeightSharingMethod;
  /** Called with the trained shared weights and the search's validation half before they are freed (ranking, BatchNorm). */
  readonly inspect?: (net: SinglePathNet, valid: Subset) => void;
}

export interface WeightSharingRunResult {
  readonly method: WeightSharingMethod;
  readonly genotype: Nb201Genotype;
  /** The chosen cell's architecture string, which the table is indexed by. */
  readonly arch: string;
  readonly history: EnasEpochRecord[];
  /** ENAS's derivation (both samplers); null for random-WS. */
  readonly derivation: EnasDerivation | null;
  /** Random-WS's selection; null for ENAS. */
  readonly selection: RandomWsSelection | null;
  readonly config: EnasConfig;
  readonly randomWs: RandomWsOptions | null;
  readonly supernetParams: number;
  readonly backend: string;
  /** Seconds of this session's searching (a resumed run: since it resumed, plus the epochs' own seconds before). */
  readonly wallSeconds: number;
  readonly reductions: string;
}

/**
 * Runs the search's remaining epochs, resuming from the stored checkpoint and saving one after
 * every epoch; the seconds its epochs took before this session (0 on a fresh start).
 */
export async function searchEpochs<G extends Json>(
  search: EnasSearch<G>,
  options: Pick<SharedWeightsRunOptions, "checkpoints" | "onProgress" | "onEpoch">,
): Promise<number> {
  const stored = options.checkpoints?.load();
  if (stored) await search.restore(stored);
  const before = search.history.reduce((s, r) => s + r.seconds, 0);
  while (search.epochsDone < search.config.epochs) {
    const record = await search.runEpoch(options.onProgress);
    options.checkpoints?.save(await search.checkpoint());
    options.onEpoch?.(record);
  }
  return before;
}

/** One search, start to finish: build the shared weights, search (resuming from a checkpoint), choose the cell. */
export async function runWeightSharingSearch(options: WeightSharingRunOptions): Promise<WeightSharingRunResult> {
  const { method, seed, scale, train } = options;
  const preset = enasPreset(scale);
  const config = weightSharingConfig(method, preset, seed);
  const space = new Nb201Space(preset.network);
  const data = searchHalves(train);
  const net = new Nb201SinglePath(preset.supernet, train.info.shape, train.info.numClasses, new Rng(seed));
  const search = new EnasSearch(space, net, data, config);
  const start = performance.now();
  try {
    const before = await searchEpochs(search, options);
    const rws = method === "random-ws" ? randomWsOptions(preset) : null;
    // Seeded apart from the search, so that a resumed run chooses as an uninterrupted one.
    const selection = rws ? randomWsSelect(net, data.valid, rws, new Rng(seed + 1)) : null;
    const derivation = rws ? null : search.derive();
    const tokens = selection ? selection.best.tokens : derivation!.best;
    // The search's cost ends here: what `inspect` does with the weights is not part of it.
    const wallSeconds = before + (performance.now() - start) / 1000;
    options.inspect?.(net, data.valid);
    const genotype = space.decode(tokens);
    return {
      method,
      genotype,
      arch: formatNb201(genotype),
      history: [...search.history],
      derivation,
      selection,
      config,
      randomWs: rws,
      supernetParams: net.weights().reduce((n, v) => n + v.size, 0),
      backend: tf.getBackend(),
      wallSeconds,
      reductions: preset.reductions,
    };
  } finally {
    search.dispose();
    net.dispose();
  }
}

const CHECKPOINT = "checkpoint.json";
const ENAS_ARTIFACT = "enas.json";

/** The search per epoch from enas.json: the controller's reward against its baseline and its probabilities (ENAS), the shared weights' loss, the chosen cell. */
function weightSharingReportSections(run: ReportContext, space: Nb201Space): ReportSection[] {
  const artifact = run.store.readArtifact(ENAS_ARTIFACT) as unknown as { history: EnasEpochRecord[]; arch: string } | null;
  const trial = run.trials[0];
  const sections: ReportSection[] = [];
  if (artifact) {
    const history = artifact.history;
    const controller = history.flatMap((e) => (e.reward !== null && e.baseline !== null && e.probabilities ? [{ told: e.epoch, rewards: [e.reward], baseline: e.baseline, probabilities: e.probabilities }] : []));
    const figures = controller.length > 0
      ? [
          rewardFigure([{ name: `seed ${run.store.config.seed}`, updates: controller }], "the shared weights' accuracy on a validation minibatch", "Mean reward per epoch, and the baseline", "epoch"),
          controllerProbabilityFigure(controller, choiceRows(space.decisions(), space.decisions().map(() => [...NB201_OPS])), "Controller probabilities per edge at the end of each epoch", "epoch"),
        ]
      : [];
    sections.push({
      heading: "Search",
      text: `${history.length} epochs of shared-weight training, one sampled cell per minibatch; the cell chosen: ${artifact.arch}.`,
      figures,
      tables: [{
        caption: "Per epoch (enas.json)",
        data: history.map((e) => ({ epoch: e.epoch, "weight lr": e.weightLr, "train loss": e.trainLoss, "train accuracy": e.trainAccuracy, reward: e.reward, baseline: e.baseline, "entropy (nats)": e.entropy, seconds: e.seconds })),
      }],
    });
  }
  if (trial) {
    const genotype = space.validate(trial.genotype);
    sections.push({ heading: "Chosen cell", text: `Trained from scratch as trial 0: validation accuracy ${trial.metrics?.validAccuracy.toFixed(4) ?? "n/a (failed)"}.`, drawings: [{ svg: nb201Svg(genotype), caption: formatNb201(genotype) }] });
  }
  return sections;
}

/** The run directory's checkpoint.json (written atomically by the run store). */
export function runCheckpoints(store: RunStore): CheckpointStore {
  return {
    load: () => {
      const stored = store.readArtifact(CHECKPOINT);
      if (stored !== null && (typeof stored !== "object" || Array.isArray(stored) || typeof stored.epochsDone !== "number")) {
        throw new RunStoreError(`${store.path(CHECKPOINT)} is not an ENAS checkpoint (no epochsDone).`);
      }
      return stored as unknown as EnasCheckpoint | null;
    },
    save: (checkpoint) => store.writeArtifact(CHECKPOINT, toJson(checkpoint)),
  };
}

/** Searches (resuming from the run's checkpoint), keeps the history, and trains the chosen cell from scratch as trial 0. */
async function searchAndEvaluate(
  method: WeightSharingMethod,
  scale: Scale,
  context: MethodContext,
  evaluator: TrainFromScratch<Nb201Genotype>,
): Promise<TrialRecord<Nb201Genotype>> {
  const checkpoints = runCheckpoints(context.store);
  const result = await runWeightSharingSearch({ method, seed: context.seed, scale, train: context.splits.train, onProgress: context.onProgress, checkpoints });
  context.store.writeArtifact(ENAS_ARTIFACT, toJson({ history: result.history, derivation: result.derivation, selection: result.selection, arch: result.arch }));
  const evaluate = () => evaluator.evaluate(result.genotype, { seed: trialSeed(context.seed, 0) });
  const trial = await recordTrial(0, result.genotype, evaluate, result.wallSeconds);
  context.store.append(trial);
  return trial;
}

function weightSharingMethod(method: WeightSharingMethod): SearchMethod {
  return {
    name: method,
    description: DESCRIPTIONS[method],
    at(scale) {
      const preset = enasPreset(scale);
      const { data, supernet, network, fidelity, hyperparameters } = preset;
      const search = weightSharingConfig(method, preset, 0);
      const { seed: _, ...searchSettings } = search;
      return {
        data,
        settings: toJsonObject({
          space: "nb201",
          data,
          supernet,
          search: searchSettings,
          randomWs: method === "random-ws" ? randomWsOptions(preset) : null,
          network,
          fidelity,
          hyperparameters,
        }),
        async run(context) {
          const space = new Nb201Space(network);
          const evaluator = new TrainFromScratch(space, context.splits, fidelity, hyperparameters);
          const stored = context.store.trials((genotype) => space.validate(genotype));
          const trial = stored.length > 0 ? stored[0] : await searchAndEvaluate(method, scale, context, evaluator);
          return {
            trials: [trial],
            finalTest: (best) => evaluator.finalTest(space.validate(best.genotype), context.seed, `final test of the ${method} cell`),
          };
        },
        reportSections: (run) => weightSharingReportSections(run, new Nb201Space(network)),
      };
    },
  };
}

export const weightSharingMethods: readonly SearchMethod[] = WEIGHT_SHARING_METHODS.map(weightSharingMethod);
