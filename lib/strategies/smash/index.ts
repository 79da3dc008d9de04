/** SMASH: a HyperNet that generates every candidate's weights, and ranking candidates by the error those weights give. */
export { encodeNb201, slotInputSize, slotInputs, type ArchitectureEncoding } from "./encoding";
export { GENERATED_OPS, HyperNet, type GeneratedWeights, type HyperNetOptions } from "./hypernet";
export { GeneratedNetwork } from "./generated-network";
export { CHECKPOINT_FORMAT, CheckpointError, type HyperNetCheckpoint, type HyperNetEpoch } from "./checkpoint";
export { HyperNetTraining, type HyperNetTrainingConfig } from "./training";
export { bestScored, distinctDraws, distinctRandomCells, scoreArchitectures, smashScore, type ScoredArchitecture } from "./score";
export { BankHyperNet } from "./bank-hypernet";
export { GeneratedBankNetwork } from "./generated-bank-network";
export type { HyperNetModel } from "./training";
export { MainNetwork } from "./main-network";
