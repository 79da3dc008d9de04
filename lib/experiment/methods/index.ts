/** Every search method the CLI can run, by name. A new method is one file beside this one, listed here. */
import { UsageError } from "../../core/errors";
import type { SearchMethod } from "../search-method";
import { dartsMethods } from "./darts";
import { weightSharingMethods } from "./enas";
import { enasMacroMethod } from "./enas-macro";
import { evolutionMethod, randomSearchMethod } from "./macro";
import { nasRlMethod } from "./nas-rl";
import { naoMethod } from "./nao";
import { nasnetMethods } from "./nasnet";
import { smashMethod } from "./smash";
import { smashBanksMethod } from "./smash-banks";

export const METHODS: Readonly<Record<string, SearchMethod>> = {
  random: randomSearchMethod,
  evolution: evolutionMethod,
  "nas-rl": nasRlMethod,
  ...Object.fromEntries(dartsMethods.map((method) => [method.name, method])),
  ...Object.fromEntries(nasnetMethods.map((method) => [method.name, method])),
  smash: smashMethod,
  "smash-banks": smashBanksMethod,
  ...Object.fromEntries(weightSharingMethods.map((method) => [method.name, method])),
  "enas-macro": enasMacroMethod,
  nao: naoMethod,
};

export function methodNamed(name: string): SearchMethod {
  const method = METHODS[name];
  if (!method) throw new UsageError(`Unknown method "${name}"; known: ${Object.keys(METHODS).join(", ")}.`);
  return method;
}
