/** Summary statistics of plain number lists (rewards, losses, accuracies over seeds). */
import { NasbookError } from "./errors";

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new NasbookError("mean of an empty list");
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
