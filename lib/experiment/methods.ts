/** Every search method the CLI can run, by name. */
import { UsageError } from "../core/errors";
import { evolutionMethod, randomSearchMethod } from "./macro-search";
import type { SearchMethod } from "./method";
import { dartsMethods } from "./darts-search";
import { nasRlMethod } from "./nasrl-search";

export const METHODS: Readonly<Record<string, SearchMethod>> = {
  random: randomSearchMethod,
  evolution: evolutionMethod,
  "nas-rl": nasRlMethod,
  ...Object.fromEntries(dartsMethods.map((method) => [method.name, method])),
};

export function methodNamed(name: string): SearchMethod {
  const method = METHODS[name];
  if (!method) throw new UsageError(`Unknown method "${name}"; known: ${Object.keys(METHODS).join(", ")}.`);
  return method;
}
