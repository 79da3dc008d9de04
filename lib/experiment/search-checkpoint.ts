/**
 * A one-shot search's checkpoint in its run directory (search-checkpoint.bin), written after
 * every epoch: a run killed while searching resumes from its last finished epoch. The tensors go
 * in one list (the supernet's variables, then SGD's velocities, then Adam's moments); the JSON
 * header says how many of each and keeps the history and the Rng states.
 */
import { RunStoreError } from "../core/errors";
import { toJson } from "../core/json";
import type { Json } from "../core/types";
import { readCheckpoint, writeCheckpoint } from "../store/checkpoint-file";
import type { RunStore } from "../store/run-store";
import type { SearchCheckpoint } from "../strategies/darts/search";

export const SEARCH_CHECKPOINT = "search-checkpoint.bin";

type Meta = Omit<SearchCheckpoint<string, Json>, "variables" | "optimisers"> & {
  readonly counts: { readonly variables: number; readonly velocities: number; readonly moments: number };
  readonly sampling: number;
  readonly adamStep: number;
};

export function writeSearchCheckpoint<K extends string, G>(store: RunStore, checkpoint: SearchCheckpoint<K, G>): void {
  const { variables, optimisers, ...progress } = checkpoint;
  const { velocities, adam, sampling } = optimisers;
  const counts = { variables: variables.length, velocities: velocities.length, moments: adam.moments.length };
  const meta = toJson({ ...progress, counts, sampling, adamStep: adam.step });
  writeCheckpoint(store.path(SEARCH_CHECKPOINT), { meta, tensors: [...variables, ...velocities, ...adam.moments] });
}

/** The run's last search checkpoint; null when the search has not finished an epoch. */
export function readSearchCheckpoint<K extends string, G>(store: RunStore): SearchCheckpoint<K, G> | null {
  const file = store.path(SEARCH_CHECKPOINT);
  const stored = readCheckpoint(file);
  if (!stored) return null;
  const meta = checkedMeta(stored.meta, file);
  const { counts, sampling, adamStep, ...progress } = meta;
  if (counts.variables + counts.velocities + counts.moments !== stored.tensors.length) {
    throw new RunStoreError(`${file}: its header counts ${counts.variables + counts.velocities + counts.moments} tensors, it holds ${stored.tensors.length}; delete it to search again.`);
  }
  const variables = stored.tensors.slice(0, counts.variables);
  const velocities = stored.tensors.slice(counts.variables, counts.variables + counts.velocities);
  const moments = stored.tensors.slice(counts.variables + counts.velocities);
  return { ...(progress as unknown as Omit<SearchCheckpoint<K, G>, "variables" | "optimisers">), variables, optimisers: { velocities, adam: { step: adamStep, moments }, sampling } };
}

/** The header's fields, type-checked; the error names the file and the field. */
function checkedMeta(meta: Json, file: string): Meta {
  const fail = (field: string, want: string) => new RunStoreError(`${file}: \`${field}\` should be ${want}; delete the file to search again.`);
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw fail("meta", "an object");
  const m = meta as { [key: string]: Json };
  for (const field of ["epochsDone", "shuffle", "sampling", "adamStep"]) {
    if (!Number.isInteger(m[field]) || (m[field] as number) < 0) throw fail(field, "a non-negative integer");
  }
  if (typeof m.seconds !== "number" || !(m.seconds >= 0)) throw fail("seconds", "a non-negative number");
  for (const field of ["alphaHistory", "losses", "epochs"]) if (!Array.isArray(m[field])) throw fail(field, "a list");
  if ((m.epochs as Json[]).length !== m.epochsDone) throw fail("epochs", `a list of ${m.epochsDone} epoch records`);
  const counts = m.counts as { [key: string]: Json } | null;
  if (typeof counts !== "object" || counts === null || !["variables", "velocities", "moments"].every((k) => Number.isInteger(counts[k]))) {
    throw fail("counts", "{ variables, velocities, moments } as integers");
  }
  return m as unknown as Meta;
}
