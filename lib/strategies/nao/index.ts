export { Vocabulary } from "./vocabulary";
export { Encoder, type Encoding } from "./encoder";
export { Predictor } from "./predictor";
export { Decoder } from "./decoder";
export { NaoModel, NAO_PAPER_MODEL, minMaxNormalise, type NaoModelOptions, type EpochLoss } from "./model";
export { moveAlongPredictor, type MoveResult, type MovedArchitecture } from "./gradient-move";
export { NaoSearch, type NaoSearchOptions, type NaoRound } from "./search";
