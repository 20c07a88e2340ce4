// Long computations as generators that pause every few thousand items, so the extension host can run
// them in slices between other events (a hover, a keystroke) instead of one synchronous stretch, and
// the CLI can run the same code straight through. One implementation serves both.

/**
 * A computation that yields how many work items (characters scanned, words, spans…) it did since its
 * last yield, at most WORK_CHUNK, and returns its result.
 */
export type SlicedWork<T> = Generator<number, T, undefined>;

/** Most items a step does between two yields: what makes a slice's work bounded. */
export const WORK_CHUNK = 2048;

/** Counts items in a loop and says when a yield is due (every WORK_CHUNK items). */
export class WorkMeter {
  private done = 0;

  /** Adds `items`; true when WORK_CHUNK or more are due, and then `take()` must be yielded. */
  add(items = 1): boolean {
    this.done += items;
    return this.done >= WORK_CHUNK;
  }

  /** The items since the last take (to yield), reset to 0. */
  take(): number {
    const n = this.done;
    this.done = 0;
    return n;
  }
}

/** Runs `work` to its end synchronously: the CLI, the trainer, small inputs. */
export function runToEnd<T>(work: SlicedWork<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** A computation as sliced work of one (unmetered) step: for parts that are small or not sliceable. */
export function* oneStep<T>(compute: () => T): SlicedWork<T> {
  return compute();
}

export interface SliceOptions {
  /** A slice ends at the first yield at which it has done this many items (so at most itemsPerSlice + WORK_CHUNK). */
  itemsPerSlice: number;
  /** A slice also ends at the first yield after this many milliseconds (`now` measures them). */
  msPerSlice?: number;
  now?: () => number;
  /** Starts the next slice later: setImmediate in the extension host, so queued events run in between. */
  defer: (next: () => void) => void;
  /** Asked before every slice; true drops the work and rejects with WorkCancelled. */
  cancelled?: () => boolean;
  /** Told the items each slice did, when it ends. */
  onSlice?: (items: number) => void;
}

export class WorkCancelled extends Error {
  constructor() {
    super('work cancelled');
    this.name = 'WorkCancelled';
  }
}

/**
 * Runs `work` in slices: the first now, each next one through `defer`. Resolves to the work's result;
 * rejects with WorkCancelled when `cancelled()` turns true between slices, or with the work's own error.
 */
export function runSliced<T>(work: SlicedWork<T>, options: SliceOptions): Promise<T> {
  const now = options.now ?? Date.now;
  return new Promise<T>((resolve, reject) => {
    const slice = (): void => {
      if (options.cancelled?.()) {
        work.return(undefined as never);
        reject(new WorkCancelled());
        return;
      }
      const start = options.msPerSlice !== undefined ? now() : 0;
      let items = 0;
      try {
        for (;;) {
          const step = work.next();
          if (step.done) {
            options.onSlice?.(items);
            resolve(step.value);
            return;
          }
          items += step.value;
          if (items >= options.itemsPerSlice) break;
          if (options.msPerSlice !== undefined && now() - start >= options.msPerSlice) break;
        }
      } catch (err) {
        reject(err);
        return;
      }
      options.onSlice?.(items);
      options.defer(slice);
    };
    slice();
  });
}
