/**
 * Search spaces by name, rebuilt from plain data: a worker thread cannot receive a class
 * instance, so it gets a `SpaceSpec` (`{ kind: "macro-cnn", options }`) and builds its own copy.
 * Spaces register a builder here; a run's config.json records the same two things as `space` and `spaceOptions`.
 */
import { NasbookError } from "../core/errors";
import type { Json, SearchSpace } from "../core/types";
import { MacroCnnSpace, type MacroCnnOptions } from "./macro-cnn";
import { DartsSpace } from "./darts/space";
import type { SkeletonOptions } from "./darts/skeleton";
import { NasRlSpace, type NasRlSpaceOptions } from "./nasrl/space";
import { Nb201Space } from "./nb201/space";
import { NasnetSpace, type NasnetSpaceOptions } from "./nasnet/space";
import type { MemoryBankSpaceOptions } from "./smash/genotypes";
import { MemoryBankSpace } from "./smash/space";
import type { Nb201NetworkOptions } from "./nb201/skeleton";

export interface SpaceSpec {
  readonly kind: string;
  /** The space's constructor options, as plain data. */
  readonly options: Json;
}

type SpaceBuilder = (options: Json) => SearchSpace<Json>;

const BUILDERS = new Map<string, SpaceBuilder>();

/** Makes `kind` buildable from a spec; registering a kind twice is a mistake, not an override. */
export function registerSpace(kind: string, build: SpaceBuilder): void {
  if (BUILDERS.has(kind)) throw new NasbookError(`Search space "${kind}" is already registered.`);
  BUILDERS.set(kind, build);
}

export function spaceFromSpec(spec: SpaceSpec): SearchSpace<Json> {
  const build = BUILDERS.get(spec.kind);
  if (!build) {
    throw new NasbookError(`Unknown search space "${spec.kind}"; registered: ${[...BUILDERS.keys()].join(", ")}.`);
  }
  return build(spec.options);
}

registerSpace("macro-cnn", (options) => new MacroCnnSpace(options as unknown as MacroCnnOptions) as unknown as SearchSpace<Json>);
registerSpace("nas-rl", (options) => new NasRlSpace(options as unknown as NasRlSpaceOptions) as unknown as SearchSpace<Json>);
registerSpace("darts", (options) => new DartsSpace(options as unknown as SkeletonOptions) as unknown as SearchSpace<Json>);
registerSpace("nb201", (options) => new Nb201Space(options as unknown as Partial<Nb201NetworkOptions>) as unknown as SearchSpace<Json>);
registerSpace("nasnet", (options) => new NasnetSpace(options as unknown as NasnetSpaceOptions) as unknown as SearchSpace<Json>);
registerSpace("smash-banks", (options) => new MemoryBankSpace(options as unknown as MemoryBankSpaceOptions) as unknown as SearchSpace<Json>);
