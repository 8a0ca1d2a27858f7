/**
 * `synthstore evaluate` as a user runs it: on a store filled by `demo-data`, the user-cold
 * protocol with the logistic-regression reference prints a JSON report of the documented shape;
 * a bad protocol is refused with one clear line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';
import { createCliDatabase, testedMode } from '../support/testDatabase.ts';

type Store = Awaited<ReturnType<typeof createCliDatabase>>;

describe(`synthstore evaluate (${testedMode})`, () => {
  let store: Store;
  beforeEach(async () => {
    store = await createCliDatabase();
  });
  afterEach(async () => {
    await store.dispose();
  });

  it('prints a JSON report for the data in the store', async () => {
    const demo = await runCli([...store.args, 'demo-data', '--users', '300', '--items', '80', '--json'], store.env);
    expect(demo.code).toBe(0);
    const result = await runCli([...store.args, 'evaluate', '--protocol', 'user-cold', '--variants', 'e', '--seeds', '2', '--json'], store.env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ protocol: 'user-cold', dataset: expect.any(String) });
    expect(report.variants).toHaveLength(1);
    const [variant] = report.variants;
    expect(variant).toMatchObject({ name: 'e-logistic-regression', family: 'baseline', seeds: 2 });
    for (const key of ['cold_auc', 'warm_a_auc', 'warm_b_auc', 'warm_c_auc', 'warm_auc', 'logloss', 'ndcg10', 'train_seconds', 'cold_auc_sd']) {
      expect(variant).toHaveProperty(key);
    }
    expect(variant.cold_auc).toBeGreaterThan(0);
    expect(variant.cold_auc).toBeLessThan(1);
    expect(result.stderr).toContain('user-cold: e-logistic-regression seed 2 done');
  }, 60_000);

  it('refuses an unknown protocol', async () => {
    const result = await runCli([...store.args, 'evaluate', '--protocol', 'warm'], store.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--protocol: expected one of item-cold, user-cold, citeulike-cold/);
  });
});
