/**
 * nasbook: neural architecture search as literate experiments.
 * The triad (search spaces, strategies, evaluators) and around it data, backend, viz and the
 * experiment store. Notebooks import everything from here: `import * as nb from "nasbook"`.
 */
export * from "./core/types";
export { Rng } from "./core/random";
export { NasbookError, GenotypeError, DivergedError, DatasetError, UsageError, RunStoreError, BenchmarkError, FileSystemError } from "./core/errors";
export { canonicalJson, toJson } from "./core/json";
export { SCALES, isScale, scaleFromEnv, byScale, type Scale } from "./core/scale";
export { mean, std, spread, gapVsSpread, gapVsStandardError, type GapVsSpread, type GapVsStandardError } from "./core/stats";

export { initBackend, currentBackend, backendReport, BACKEND_NAMES, type BackendChoice, type BackendName } from "./backend/select";

export * from "./data";

export { Module, Sequential } from "./nn/module";
export { Conv2d, DepthwiseConv2d, BatchNorm, Dense, maxPool, avgPool, globalAvgPool, type ConvOptions, type Padding } from "./nn/layers";
export { countMacs, addMacs } from "./nn/macs";
export { MomentumSGD, type SgdOptions } from "./nn/sgd";

export { MacroCnnSpace, DEFAULT_MACRO_OPTIONS, POOLS, type MacroCnnGenotype, type MacroCnnOptions, type MacroLayer, type Pool } from "./spaces/macro-cnn";
export type { NasRlGenotype, NasRlLayer } from "./spaces/nasrl/genotypes";
export { NasRlSpace, NASRL_PAPER_SPACE, nasRlSpaceOptions, type NasRlSpaceOptions } from "./spaces/nasrl/space";
export { NasRlNetwork, concatPadded, danglingLayers } from "./spaces/nasrl/network";
export { nasRlSvg } from "./spaces/nasrl/draw";
export * from "./spaces/darts";
export * from "./spaces/nb201";
export * from "./spaces/nasnet";
export * from "./spaces/enas";
export * from "./spaces/smash";
export * from "./spaces/operations";
export type { Alphas, EdgeMixing, Mixing, Supernet } from "./spaces/supernet";

export { RandomSearch } from "./strategies/random-search";
export { RegularizedEvolution, type EvolutionOptions, type Member } from "./strategies/regularized-evolution";
export { StackedLstm, uniformVariable, type LstmState } from "./strategies/controller/lstm";
export { ControllerPolicy, NASRL_POLICY, type PolicyOptions, type PolicySample, type PolicyScores } from "./strategies/controller/policy";
export * from "./strategies/darts";
export * from "./strategies/smash";
export { correlationGap, kendallTau, pearson, rankingAgreement, ranks, spearman, type CorrelationGap, type RankingAgreement } from "./core/rank-correlation";
export { ReinforceController, NASRL_CONTROLLER, nasRlReward, type ReinforceOptions, type ControllerUpdate } from "./strategies/controller/reinforce";
export { PpoController, NASNET_CONTROLLER, NASNET_POLICY, clippedSurrogateLoss, type PpoOptions } from "./strategies/controller/ppo";

export { TrainFromScratch, type TrainingHyperparameters } from "./evaluators/train-from-scratch";
export { train, accuracy, TRAINING_DEFAULTS, type TrainingOptions } from "./evaluators/training";
export { measureLatency } from "./evaluators/latency";

export { RunStore, type RunConfig, type RunSummary } from "./store/run-store";
export { loadBenchmark, shippedBenchmarks } from "./benchmarks/load";
export { BenchmarkTable, type BenchmarkEntry, type BenchmarkFile, type BenchmarkMetric, type BenchmarkRun } from "./benchmarks/table";
export { TabularEvaluator } from "./evaluators/tabular";
export { registerSpace, spaceFromSpec, type SpaceSpec } from "./spaces/registry";

export { trialSeed, bestTrial } from "./experiment/trial";
export { runMultiTrialSearch, type MultiTrialSearchOptions, type ConcurrentEvaluator } from "./experiment/multi-trial-search";
export { WorkerPool, defaultWorkerCount, type EvaluationJob, type WorkerPoolOptions } from "./experiment/worker-pool";
export { searchEvaluator, runMultiTrial, type SearchEvaluator, type TrialSetup, type MultiTrialRun } from "./experiment/multi-trial";
export { macroPreset, type MacroPreset } from "./experiment/presets/macro";
export { nasRlPreset, nasRlNotebookPreset, type NasRlPreset, type NasRlNotebookPreset } from "./experiment/presets/nas-rl";
export { dartsPreset, dartsNotebookPreset, type DartsPreset, type DartsNotebookPreset, type SearchSettings } from "./experiment/presets/darts";
export { runSearch, type SearchRequest, type SearchResult, type SearchOptions } from "./experiment/run-search";
export { METHODS, methodNamed } from "./experiment/methods";
export { nasRlRandomMethod } from "./experiment/methods/nas-rl";
export { controllerUpdates } from "./experiment/controller-artifact";
export {
  DARTS_METHODS,
  dartsSearchSettings,
  runDartsSearch,
  runOneShot,
  type DartsMethod,
  type DartsRunOptions,
  type DartsRunResult,
  type OneShotRequest,
  type OneShotRunResult,
} from "./experiment/methods/darts";
export { nb201SearchConfig, runNb201OneShot, type Nb201OneShotOptions, type Nb201OneShotResult } from "./experiment/methods/nb201-darts";
export { nb201DartsPreset, type Nb201DartsPreset } from "./experiment/presets/nb201-darts";
export { runSmashSearch, smashCandidates, smashMethod, type CheckpointSlot, type SmashSearchRequest, type SmashSearchResult } from "./experiment/methods/smash";
export { smashPreset, type SmashPreset } from "./experiment/presets/smash";
export { runSmashBanksSearch, smashBanksCandidates, smashBanksMethod, type SmashBanksRequest } from "./experiment/methods/smash-banks";
export { smashBanksPreset, type SmashBanksPreset } from "./experiment/presets/smash-banks";
export { WEIGHT_SHARING_METHODS, runWeightSharingSearch, weightSharingConfig, type WeightSharingMethod, type WeightSharingRunResult } from "./experiment/methods/enas";
export { enasPreset, type EnasPreset } from "./experiment/presets/enas";
export { expectedSkipRate, runEnasMacroSearch, type EnasMacroRunResult } from "./experiment/methods/enas-macro";
export { enasMacroPreset, type EnasMacroPreset } from "./experiment/presets/enas-macro";
export { ENAS_SKIP_PENALTY, skipPenalty, type SkipLogProbs, type SkipPenaltyOptions } from "./strategies/controller/skip-penalty";
export { ENAS_CONTROLLER, ENAS_MACRO_CONTROLLER, EnasSearch, likeliestTokens, type EnasConfig, type EnasEpochRecord, type EnasSampler } from "./strategies/enas/search";
export { accuracyOnSubset, BATCH_NORM_MODES, type BatchNormMode } from "./strategies/enas/scoring";
export { Nb201SinglePath } from "./spaces/nb201/single-path";
export type { SearchMethod, ScaledMethod, MethodContext, MethodOutcome } from "./experiment/search-method";
export { compareOnBenchmark, comparisonRows, chosenAccuracies, methodRuns, type TabularComparison, type TabularComparisonRequest, type TabularRun } from "./experiment/tabular-comparison";
export { tabularPreset, type TabularPreset } from "./experiment/presets/tabular";
export { TABULAR_METHODS, type TabularMethod } from "./experiment/methods/tabular";
export { nasnetPreset, nasnetNotebookPreset, type NasnetPreset, type NasnetNotebookPreset, type TransferPreset } from "./experiment/presets/nasnet";
export { nasnetPpoMethod, nasnetEvolutionMethod, nasnetRandomMethod, nasnetMethods } from "./experiment/methods/nasnet";
export { retrainAtSizes, transferLeads, type TransferRequest, type TransferResult, type TransferLead } from "./experiment/nasnet-transfer";

export * from "./viz";
export { NaoModel, NAO_PAPER_MODEL, minMaxNormalise, moveAlongPredictor, NaoSearch, type NaoModelOptions, type EpochLoss, type MoveResult, type MovedArchitecture, type NaoSearchOptions, type NaoRound } from "./strategies/nao";
export { naoMethod, naoRandomMethod, naoRounds } from "./experiment/methods/nao";
export { naoPreset, naoNotebookPreset, type NaoPreset, type NaoNotebookPreset } from "./experiment/presets/nao";
export { pca, project, type Pca } from "./core/pca";
export { pairwiseAccuracy } from "./core/rank-correlation";
