// How the extension host runs key-content work: in slices of a few milliseconds, each next slice queued
// with setImmediate, so the editor's messages (hovers, commands, keystrokes) are served in between.
import { performance } from 'perf_hooks';
import { runSliced, SlicedWork } from '../../core/slicedWork';

/** A slice ends after this long… */
export const SLICE_MS = 5;
/** …or after this many work items, whichever comes first (items bound it even when the clock is coarse). */
export const SLICE_ITEMS = 200_000;

export interface HostSliceHooks {
  cancelled?: () => boolean;
  /** Told each slice's items and length in ms. */
  onSlice?: (items: number, ms: number) => void;
}

export function runInHostSlices<T>(work: SlicedWork<T>, hooks: HostSliceHooks = {}): Promise<T> {
  let started = performance.now();
  return runSliced(work, {
    itemsPerSlice: SLICE_ITEMS,
    msPerSlice: SLICE_MS,
    now: () => performance.now(),
    defer: (next) => setImmediate(() => {
      started = performance.now();
      next();
    }),
    cancelled: hooks.cancelled,
    onSlice: (items) => hooks.onSlice?.(items, performance.now() - started),
  });
}
