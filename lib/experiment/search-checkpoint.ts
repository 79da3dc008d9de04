/**
 * A one-shot search's checkpoint in its run directory (search-checkpoint.json), written
 * atomically after every epoch: a run killed while searching resumes from its last finished
 * epoch. The header fields are checked on reading, with the file and field named.
 */
import { RunStoreError } from "../core/errors";
import { toJson } from "../core/json";
import type { Json } from "../core/types";
import type { RunStore } from "../store/run-store";
import type { SearchCheckpoint } from "../strategies/darts/search";

export const SEARCH_CHECKPOINT = "search-checkpoint.json";

export function writeSearchCheckpoint<K extends string, G>(store: RunStore, checkpoint: SearchCheckpoint<K, G>): void {
  store.writeArtifact(SEARCH_CHECKPOINT, toJson(checkpoint));
}

/** The run's last search checkpoint; null when the search has not finished an epoch. */
export function readSearchCheckpoint<K extends string, G>(store: RunStore): SearchCheckpoint<K, G> | null {
  const stored = store.readArtifact(SEARCH_CHECKPOINT);
  if (stored === null) return null;
  return checked(stored, store.path(SEARCH_CHECKPOINT)) as unknown as SearchCheckpoint<K, G>;
}

/** The checkpoint's fields, type-checked (the tensors' shapes are checked when they are restored). */
function checked(value: Json, file: string): Json {
  const fail = (field: string, want: string) => new RunStoreError(`${file}: \`${field}\` should be ${want}; delete the file to search again.`);
  const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(value)) throw fail("(the whole file)", "an object");
  for (const field of ["epochsDone", "shuffle"]) {
    if (!Number.isInteger(value[field]) || (value[field] as number) < 0) throw fail(field, "a non-negative integer");
  }
  if (typeof value.seconds !== "number" || !(value.seconds >= 0)) throw fail("seconds", "a non-negative number");
  for (const field of ["alphaHistory", "losses", "epochs", "variables"]) if (!Array.isArray(value[field])) throw fail(field, "a list");
  if ((value.epochs as Json[]).length !== value.epochsDone) throw fail("epochs", `a list of ${value.epochsDone} epoch records`);
  const optimisers = value.optimisers;
  if (!isObject(optimisers) || !Array.isArray(optimisers.velocities) || !isObject(optimisers.adam) || !Number.isInteger(optimisers.sampling)) {
    throw fail("optimisers", "{ velocities, adam, sampling }");
  }
  if (!Number.isInteger(optimisers.adam.step) || !Array.isArray(optimisers.adam.moments)) throw fail("optimisers.adam", "{ step, moments }");
  return value;
}
