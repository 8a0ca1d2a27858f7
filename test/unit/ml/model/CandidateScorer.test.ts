import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { CandidateScorer } from '../../../../ml/evaluate/CandidateScorer.ts';
import { createModel } from '../../../../ml/model/createModel.ts';
import { FeaturePipeline } from '../../../../ml/pipeline/FeaturePipeline.ts';
import { scoreExamples } from '../../../../ml/train/evaluateExamples.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

function pipeline(): FeaturePipeline {
  const words = ['graph', 'neural', 'protein', 'folding', 'network', 'cell', 'gene', 'deep'];
  const items = Array.from({ length: 12 }, (_, i) => ({
    externalId: `i${i}`,
    metadata: { title: `${words[i % 8]} ${words[(i * 3) % 8]} ${words[(i * 5 + 1) % 8]}`, genre: i % 2 ? 'a' : 'b' },
  }));
  const users = Array.from({ length: 4 }, (_, u) => ({ externalId: `u${u}`, metadata: { age: 20 + u } }));
  const trainEvents = Array.from({ length: 24 }, (_, k) => ({ userId: `u${k % 4}`, itemId: `i${k % 8}`, value: k % 3 ? 1 : 0, time: k }));
  return new FeaturePipeline({
    fields: [
      { entityType: 'item', name: 'title', type: 'text' },
      { entityType: 'item', name: 'genre', type: 'categorical' },
      { entityType: 'user', name: 'age', type: 'numeric' },
    ],
    users,
    items,
    trainEvents,
    positiveThreshold: 1,
    label: (event) => event.value,
    itemEncoder: { tokenVocabulary: { minCount: 1 } },
  });
}

describe('CandidateScorer', () => {
  for (const architecture of ['mlp', 'transformer'] as const) {
    it(`gives the scores of predicting every (user, candidate) pair (${architecture})`, () => {
      const p = pipeline();
      const model = createModel({ seed: 3, companion: { architecture, transformer: { layers: 1, width: 8, heads: 2, ffWidth: 8 } }, combine: { mode: 'attention' } }, p.schemas());
      const candidates = ['i8', 'i9', 'i10', 'i11', 'i2'];
      const builder = p.builder('train');
      const scorer = new CandidateScorer(model, builder, p.items, candidates);
      const before = tf.memory().numTensors;
      for (const user of ['u0', 'u3']) {
        const set = p.examples(candidates.map((itemId) => ({ userId: user, itemId, time: 100 })), []);
        const expected = scoreExamples(model, builder, set).predictions;
        const actual = scorer.score(set);
        expect(actual.length).toBe(candidates.length);
        for (let c = 0; c < candidates.length; c++) expect(actual[c]).toBeCloseTo(expected[c]!, 5);
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(() => scorer.score(p.examples([{ userId: 'u0', itemId: 'i8', time: 1 }], []))).toThrow(RangeError);
      model.dispose();
    });
  }
});
