/**
 * The CiteULike protocols on a small generated library (no database): the validation protocol
 * ranks a second cold split of the TRAINING items only, and a ranking loss trains every neural
 * variant on the grouped saves.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../ml/backend.ts';
import { splitStrictColdItems } from '../../ml/data/splits/citeulikeStrictCold.ts';
import { evaluateData } from '../../ml/evaluate/runEvaluation.ts';
import type { StoreData } from '../../ml/store/loadStoreData.ts';
import { Random } from '../../store/demo/random.ts';

const TOPICS = [
  ['neural', 'network', 'learning', 'deep'],
  ['protein', 'folding', 'structure', 'molecule'],
  ['galaxy', 'star', 'cosmic', 'survey'],
  ['market', 'price', 'trading', 'risk'],
];

/** Users save articles of their own topic; titles are drawn from the topic's words. */
function library(): StoreData {
  const random = new Random(3);
  const items = Array.from({ length: 120 }, (_, i) => {
    const words = TOPICS[i % TOPICS.length]!;
    return { externalId: `a${i}`, metadata: { title: `${random.pick(words)} ${random.pick(words)} ${random.pick(words)} study ${i}` }, vectors: {} };
  });
  const users = Array.from({ length: 40 }, (_, u) => ({ externalId: `u${u}`, metadata: {}, vectors: {} }));
  const events = users.flatMap((user, u) => {
    const own = items.filter((_, i) => i % TOPICS.length === u % TOPICS.length);
    return random.shuffle([...own]).slice(0, 12).map((item, n) => ({ userId: user.externalId, itemId: item.externalId, type: 'save', value: 1, time: u * 100 + n, context: null }));
  });
  return { fields: [{ entityType: 'item', name: 'title', type: 'text' }], modalities: [], users, items, events: events.sort((a, b) => a.time - b.time) };
}

describe('CiteULike validation protocol', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('ranks held-out training items, never the test items, with a ranking loss', async () => {
    const data = library();
    const test = splitStrictColdItems(data.events, { seed: 42, items: data.items.map((item) => item.externalId) });
    const report = await evaluateData(data, {
      protocol: 'citeulike-cold-validation',
      variants: ['e', 'b'],
      seeds: 1,
      quick: true,
      settings: { epochs: 1, rankingUsers: 0, rankingLoss: 'bpr', negatives: 2 },
    });
    expect(report.protocol).toBe('citeulike-cold-validation');
    // The validation split divides the training items (and saves) of the test split.
    expect(report.split.train_items! + report.split.cold_items!).toBe(test.trainItems.length);
    expect(report.split.test_saves! + report.split.train_saves!).toBe(test.train.length);
    expect(report.notes.some((note) => note.includes('2 sampled negative(s) per training save; ranking loss bpr'))).toBe(true);
    for (const variant of report.variants) {
      expect(variant.ndcg20).toBeGreaterThan(0);
      expect(variant.ndcg20).toBeLessThanOrEqual(1);
    }
    expect(report.variants.find((variant) => variant.name === 'e-content-knn')!.ndcg20).toBeGreaterThan(0.3);
  }, 120_000);

  it('refuses a ranking loss without sampled negatives', async () => {
    await expect(evaluateData(library(), { protocol: 'citeulike-cold', variants: ['b'], quick: true, settings: { rankingLoss: 'softmax', negatives: 0 } })).rejects.toThrow(/at least one sampled negative/);
  });
});
