// The LRU map behind the editor's per-line cache.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { LruCache } from '../../../src/core/keys/lru';

test('evicts the least recently used entry; get refreshes recency', () => {
  const c = new LruCache<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1);
  c.set('c', 3);
  assert.equal(c.has('b'), false);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
  assert.equal(c.size, 2);
});

test('rejects a capacity below 1', () => {
  assert.throws(() => new LruCache(0), /capacity/);
});
