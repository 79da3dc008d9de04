/**
 * Counting multiply-accumulates by running the network once on a single image: layers add
 * their cost while a count is open, so the count follows whatever path the genotype wires.
 */
let open: { total: number } | null = null;

/** Called by layers from `apply`; a no-op unless `countMacs` is running. */
export function addMacs(n: number): void {
  if (open) open.total += n;
}

export function countMacs(run: () => void): number {
  const outer = open;
  open = { total: 0 };
  try {
    run();
    return open.total;
  } finally {
    open = outer;
  }
}
