// Training health alerts: the DPO ln 2 plateau and a falling chosen reward.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { HealthMonitor } from '../../../src/core/train/health';

describe('health monitor', () => {
  it('flags a DPO loss stuck at ln 2 once, and not a loss that moves', () => {
    const stuck = new HealthMonitor(true);
    const alerts = Array.from({ length: 60 }, (_, i) => stuck.observe(i + 1, Math.log(2) + (i % 2 ? 1e-3 : -1e-3), 0)).flat();
    assert.deepEqual(alerts.map((a) => a.code), ['plateau']);
    const moving = new HealthMonitor(true);
    assert.deepEqual(Array.from({ length: 60 }, (_, i) => moving.observe(i + 1, 0.69 - i * 0.01, 0.01 * i)).flat(), []);
    // Reference-free losses have no ln 2 plateau.
    const simpo = new HealthMonitor(false);
    assert.deepEqual(Array.from({ length: 60 }, (_, i) => simpo.observe(i + 1, Math.log(2), 0)).flat(), []);
  });

  it('flags a chosen reward that keeps falling below zero, and survives a state round trip', () => {
    const m = new HealthMonitor(true);
    const out = Array.from({ length: 25 }, (_, i) => m.observe(i + 1, 0.5, -0.05 * i)).flat();
    assert.equal(out.length, 1);
    assert.equal(out[0].code, 'chosen-reward-falling');
    assert.match(out[0].message, /rewards\/chosen is falling/);
    const copy = new HealthMonitor(true);
    copy.setState(JSON.parse(JSON.stringify(m.getState())));
    // Same memory: the cooldown holds in both, so neither alerts again right away.
    assert.deepEqual(copy.observe(26, 0.5, -2), m.observe(26, 0.5, -2));
  });
});
