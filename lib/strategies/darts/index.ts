/** Differentiable architecture search: DARTS (first and second order), GDAS, derivation, the toy problem. */
export { deriveCell, deriveGenotype, type CellWeights, type EdgeWeights } from "./derive";
export { deriveNb201Genotype } from "./derive-nb201";
export { GumbelSample, argmaxMixing, gdasTemperature } from "./gumbel";
export {
  firstOrderAlphaGradient,
  secondOrderAlphaGradient,
  supernetLoss,
  type AlphaGradient,
  type LabelledBatch,
  type MixingSource,
} from "./hypergradient";
export { GumbelRelaxation, SoftmaxRelaxation, type Relaxation } from "./relaxation";
export {
  BilevelSearch,
  DARTS_HYPERPARAMETERS,
  GDAS_TAU,
  alphaSnapshot,
  dartsSearch,
  searchHalves,
  supernetSearch,
  type AlphaSnapshot,
  type DartsSearchConfig,
  type DartsSearchResult,
  type Derive,
  type EpochRecord,
  type SearchCallbacks,
  type StepLosses,
  type SupernetSearchResult,
} from "./search";
export {
  TOY_OPTIMUM,
  TOY_START,
  toyFixedPoint,
  toyHypergradient,
  toyTrainLoss,
  toyTrajectory,
  toyValidLoss,
  type ToyOptions,
  type ToyPoint,
} from "./toy-bilevel";
