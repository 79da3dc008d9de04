/**
 * Errors a user can act on. The CLI and notebooks print `message` (one paragraph, no stack);
 * anything that is not a NasbookError is a bug and keeps its stack.
 */
export class NasbookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A genotype that does not fit its search space; `field` is a path such as `layers[2].kernel`. */
export class GenotypeError extends NasbookError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid genotype: ${field} ${problem}.`);
  }
}

/** A loss that stopped being a number (training or a supernet search); the search records the trial as failed. */
export class DivergedError extends NasbookError {}

/** A dataset file that is missing, corrupt or cannot be fetched. */
export class DatasetError extends NasbookError {}

/** Bad command-line flags or values. */
export class UsageError extends NasbookError {}

/** A run directory whose contents conflict with what was asked (e.g. another config). */
export class RunStoreError extends NasbookError {}

/** A benchmark table that is missing, malformed or lacks the asked cell. */
export class BenchmarkError extends NasbookError {}

/** A file or folder nasbook cannot read or write (permissions, a file in the way, a full disk). */
export class FileSystemError extends NasbookError {}

/**
 * What runs the evaluations (a queue's Redis) cannot be reached: the search stops, and the
 * trial it was waiting for is not recorded (it is no failed candidate; re-running resumes it).
 */
export class EvaluatorUnavailableError extends NasbookError {}
