import { describe, expect, it } from 'vitest';
import { TfIdf } from '../../../../ml/baselines/tfidf.ts';
import { coldAlias } from '../../../../ml/pipeline/FeaturePipeline.ts';
import { NeighbourCollaborative } from '../../../../ml/pipeline/NeighbourCollaborative.ts';
import { concatPairFeatures } from '../../../../ml/pipeline/PairFeatures.ts';

const titles: Record<string, string[]> = {
  g1: ['graph', 'network', 'community'],
  g2: ['graph', 'network', 'clustering'],
  p1: ['protein', 'folding', 'structure'],
  p2: ['protein', 'folding', 'dynamics'],
  // Cold items: in nobody's library.
  gCold: ['graph', 'network', 'spectral'],
  pCold: ['protein', 'folding', 'energy'],
};
const tfidf = TfIdf.fit(Object.values(titles));
const vectors = new Map(Object.entries(titles).map(([id, words]) => [id, tfidf.vectorize(words)]));

describe('NeighbourCollaborative', () => {
  // u and v share g1; v also saved g2, w (no overlap with u) saved the protein papers.
  const libraries = new Map([
    ['u', ['g1', 'p1']],
    ['v', ['g1', 'g2']],
    ['w', ['p2']],
  ]);
  const cf = new NeighbourCollaborative(vectors, libraries, { neighbours: 2 });

  it("scores a cold item by what the user's overlapping users saved among its content neighbours", () => {
    const out = cf.compute([{ userId: 'u', itemId: 'gCold' }, { userId: 'u', itemId: 'pCold' }]);
    const [graphMean, graphMax, proteinMean, proteinMax] = out;
    // v (u's only overlapping user) saved both graph papers and no protein paper.
    expect(graphMax).toBeCloseTo(1, 6);
    expect(graphMean).toBeCloseTo(1, 6);
    // Content similarity alone (u has one graph and one protein paper) would not separate them.
    expect(proteinMax).toBe(0);
    expect(proteinMean).toBe(0);
  });

  it("leaves the row's own item out of the user's library (a training positive looks cold)", () => {
    // Row (u, g1): without g1, u overlaps nobody, so there is no collaborative evidence.
    const [mean] = cf.compute([{ userId: 'u', itemId: 'g1' }]);
    expect(Number.isNaN(mean)).toBe(true);
    // Row (v, g2) is also a training positive; its value equals the one computed with g2 removed.
    const [withSelf] = cf.compute([{ userId: 'v', itemId: 'g2' }]);
    const [removed] = new NeighbourCollaborative(vectors, new Map([['u', ['g1', 'p1']], ['v', ['g1']], ['w', ['p2']]]), { neighbours: 2 })
      .compute([{ userId: 'v', itemId: 'g2' }]);
    expect(withSelf).toBeCloseTo(removed!, 6);
    expect(withSelf).toBeGreaterThan(0);
  });

  it('resolves cold aliases, and is NaN for unknown users', () => {
    const [alias] = cf.compute([{ userId: 'u', itemId: coldAlias('gCold') }]);
    const [plain] = cf.compute([{ userId: 'u', itemId: 'gCold' }]);
    expect(alias).toBe(plain);
    expect(cf.compute([{ userId: 'nobody', itemId: 'gCold' }])[0]).toBeNaN();
  });

  it('concatPairFeatures puts the columns of several pair features side by side', () => {
    const both = concatPairFeatures(cf, cf);
    expect(both.names).toEqual([...cf.names, ...cf.names]);
    const rows = [{ userId: 'u', itemId: 'gCold' }, { userId: 'u', itemId: 'pCold' }];
    const single = cf.compute(rows);
    const out = both.compute(rows);
    expect(Array.from(out)).toEqual([single[0], single[1], single[0], single[1], single[2], single[3], single[2], single[3]]);
  });
});
