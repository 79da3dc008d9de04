/** Learning-rate schedules shared by every trainer. */

/**
 * Cosine annealing without restarts (Loshchilov & Hutter): `peak` at t = 0, falling to `floor`
 * at t = total. Training from scratch anneals per step to 0; DARTS's weights per epoch to a floor.
 */
export function cosineSchedule(peak: number, floor: number, t: number, total: number): number {
  return floor + ((peak - floor) * (1 + Math.cos((Math.PI * t) / total))) / 2;
}
