/** The search spaces at sizes small enough to build and train a step in milliseconds, for tests of every door. */
import type { Json, SearchSpace } from "../../lib/core/types";
import { DartsSpace } from "../../lib/spaces/darts/space";
import { EnasMacroSpace } from "../../lib/spaces/enas";
import { MacroCnnSpace } from "../../lib/spaces/macro-cnn";
import { NasRlSpace, nasRlSpaceOptions } from "../../lib/spaces/nasrl/space";
import { NasnetSpace } from "../../lib/spaces/nasnet";
import { Nb201Space } from "../../lib/spaces/nb201";
import { MemoryBankSpace } from "../../lib/spaces/smash";
import { smashBanksPreset } from "../../lib/experiment/presets/smash-banks";

export function smallSpaces(): Array<[string, SearchSpace<Json>]> {
  return [
    ["macro-cnn", new MacroCnnSpace() as unknown as SearchSpace<Json>],
    ["nas-rl", new NasRlSpace(nasRlSpaceOptions("smoke")) as unknown as SearchSpace<Json>],
    ["darts", new DartsSpace({ channels: 4, layers: 2, stemMultiplier: 1 }) as unknown as SearchSpace<Json>],
    ["nb201", new Nb201Space({ cellsPerStage: 1, channels: 4 }) as unknown as SearchSpace<Json>],
    ["nasnet", new NasnetSpace({ repeats: 1, channels: 4, stemMultiplier: 1 }) as unknown as SearchSpace<Json>],
    ["smash-banks", new MemoryBankSpace(smashBanksPreset("smoke").space) as unknown as SearchSpace<Json>],
    ["enas-macro", new EnasMacroSpace({ layers: 3, channels: 2 }) as unknown as SearchSpace<Json>],
  ];
}
