/** Learning-rate schedules shared by every trainer. */

/**
 * Cosine annealing without restarts (Loshchilov & Hutter): `peak` at t = 0, falling to `floor`
 * at t = total. Training from scratch anneals per step to 0; DARTS's weights per epoch to a floor.
 */
export function cosineSchedule(peak: number, floor: number, t: number, total: number): number {
  return floor + ((peak - floor) * (1 + Math.cos((Math.PI * t) / total))) / 2;
}

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter), per epoch, as ENAS's child
 * training runs it: the first period lasts `period` epochs, each next one `growth` times longer,
 * and every period anneals from `peak` to `floor` by `cosineSchedule` before restarting at `peak`.
 */
export function cosineWithRestarts(peak: number, floor: number, epoch: number, period: number, growth: number): number {
  if (!(period >= 1) || !(growth >= 1)) throw new RangeError(`cosineWithRestarts needs period >= 1 and growth >= 1, got ${period} and ${growth}`);
  let start = 0;
  let length = period;
  while (epoch >= start + length) {
    start += length;
    length *= growth;
  }
  return cosineSchedule(peak, floor, epoch - start, length);
}
