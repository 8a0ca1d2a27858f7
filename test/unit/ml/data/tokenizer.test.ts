import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities, normalizeText, repairMojibake, tokenize } from '../../../../ml/features/tokenizer.ts';

describe('tokenize', () => {
  it('lowercases, splits on punctuation and keeps digits and non-Latin letters', () => {
    expect(tokenize('Toy Story (1995)')).toEqual(['toy', 'story', '1995']);
    expect(tokenize('Protein-protein interactions: a review!')).toEqual(['protein', 'protein', 'interactions', 'a', 'review']);
    expect(tokenize('Misérables, Les — Á köldum klaka')).toEqual(['misérables', 'les', 'á', 'köldum', 'klaka']);
    expect(tokenize('the 2−ΔΔCT method')).toEqual(['the', '2', 'δδct', 'method']);
  });

  it('keeps possessives and elisions with their word', () => {
    expect(tokenize("Children's consumer’s don't")).toEqual(['children', 'consumer', 'dont']);
  });

  it('drops English stopwords and short tokens on request', () => {
    expect(tokenize('The Art of Knowing in a Community', { stopwords: true })).toEqual(['art', 'knowing', 'community']);
    expect(tokenize('E. coli is a bacterium', { minLength: 2 })).toEqual(['coli', 'is', 'bacterium']);
    expect(tokenize('alpha beta gamma', { stopwords: new Set(['beta']) })).toEqual(['alpha', 'gamma']);
  });
});

describe('text repair (CiteULike titles)', () => {
  it('decodes named, decimal, hex and Windows-1252 numeric entities and strips tags', () => {
    expect(decodeHtmlEntities('R&amp;D &ldquo;babble&rdquo; &#8211; &#x2212; &#146;06 &eacute;')).toBe('R&D “babble” – − ’06 é');
    expect(normalizeText('collaboration networks in &lt;i&gt;Scientometrics&lt;/i&gt;')).toBe('collaboration networks in  Scientometrics ');
    expect(decodeHtmlEntities('&phis; stays')).toBe('&phis; stays');
    expect(tokenize('The NCEP&#47;NCAR 40-Year Reanalysis')).toEqual(['the', 'ncep', 'ncar', '40', 'year', 'reanalysis']);
  });

  it('repairs single and double mojibake and leaves real Latin-1 text alone', () => {
    expect(repairMojibake('cellâ€“cell')).toBe('cell–cell');
    expect(repairMojibake('proteinÃ¢Â€Â“protein')).toBe('protein–protein');
    expect(repairMojibake('The â€œGreenâ€\u009d Road')).toBe('The “Green” Road');
    expect(repairMojibake('GÃ¶del, Escher, Bach')).toBe('Gödel, Escher, Bach');
    expect(repairMojibake('Misérables, Les')).toBe('Misérables, Les');
    expect(repairMojibake('Web 2.0')).toBe('Web 2.0');
    expect(tokenize('The emerging WebÂ 2.0 social software')).toEqual(['the', 'emerging', 'web', '2', '0', 'social', 'software']);
    expect(tokenize('DéjÃ  vu')).toEqual(['déjà', 'vu']);
    expect(tokenize('Programmed population control by cellâ€“cell communication')).toEqual(tokenize('Programmed population control by cell–cell communication'));
  });
});
