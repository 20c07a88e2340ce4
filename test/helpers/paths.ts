// Paths tests and benchmarks share. The real HH sample lives in ../shared (never copied into the repo).
import * as path from 'path';

/** Repository root, from out/test/helpers (compiled) or test/helpers (source). */
export const REPO_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../../..' : '../..');
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
/** Anthropic HH harmless-base test split, first 2000 pairs (MIT). */
export const HH_SAMPLE = path.join(SHARED_DIR, 'data', 'hh-rlhf', 'harmless-base-test-2000.jsonl.gz');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');
