/**
 * Text to word tokens for titles, descriptions and other text metadata.
 *
 * Real catalogue text is messy: CiteULike titles carry HTML entities ("&amp;", "&#8211;",
 * "&lt;i&gt;") and mojibake (UTF-8 decoded as Windows-1252, sometimes twice: "cellâ€“cell",
 * "proteinÃ¢Â€Â“protein"). `normalizeText` repairs what it can before tokenizing, so that
 * "cellâ€“cell" gives the same words as "cell–cell".
 */

export interface TokenizeOptions {
  /** Drop English stopwords (ENGLISH_STOPWORDS), or the words of a given set. Default: keep all. */
  readonly stopwords?: boolean | ReadonlySet<string>;
  /** Drop tokens shorter than this many characters; default 1 (keep everything). */
  readonly minLength?: number;
}

/** A common English stopword list (articles, pronouns, auxiliaries, prepositions, conjunctions). */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have having ' +
    'he her here hers herself him himself his how i if in into is it its itself just me more most my myself no ' +
    'nor not now of off on once only or other our ours ourselves out over own same she should so some such than ' +
    'that the their theirs them themselves then there these they this those through to too under until up upon ' +
    'us very via was we were what when where which while who whom why will with within without would you your ' +
    'yours yourself yourselves'
  ).split(' '),
);

/** Lowercase word tokens: runs of letters, digits and combining marks; punctuation separates. */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const stopwords = options.stopwords === true ? ENGLISH_STOPWORDS : options.stopwords || undefined;
  const minLength = options.minLength ?? 1;
  const normalized = normalizeText(text)
    .toLowerCase()
    // Possessives and elisions belong to their word: "consumer's" -> "consumer", "don't" -> "dont".
    .replace(/(\p{L})['’]s(?![\p{L}\p{N}])/gu, '$1')
    .replace(/(\p{L})['’](\p{L})/gu, '$1$2');
  const tokens: string[] = [];
  for (const match of normalized.matchAll(/[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu)) {
    const token = match[0];
    if (token.length < minLength || stopwords?.has(token)) continue;
    tokens.push(token);
  }
  return tokens;
}

/** Decodes HTML entities, strips HTML tags, repairs mojibake and applies NFKC. */
export function normalizeText(text: string): string {
  let result = decodeHtmlEntities(text);
  result = result.replace(/<\/?[A-Za-z][^<>]*>/g, ' ');
  result = repairMojibake(result);
  return result.normalize('NFKC');
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', minus: '−',
  hellip: '…', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', middot: '·',
  bull: '•', deg: '°', plusmn: '±', times: '×', prime: '′', copy: '©', reg: '®', trade: '™', micro: 'µ',
  szlig: 'ß', alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', zeta: 'ζ', eta: 'η',
  theta: 'θ', iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', omicron: 'ο', pi: 'π',
  rho: 'ρ', sigma: 'σ', tau: 'τ', upsilon: 'υ', phi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
  Alpha: 'Α', Beta: 'Β', Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Pi: 'Π', Sigma: 'Σ',
  Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
};

/** Latin-1 letters with an accent, by their entity name ("eacute" -> "é"). */
const ACCENTS: Readonly<Record<string, string>> = {
  acute: '\u0301', grave: '\u0300', circ: '\u0302', uml: '\u0308', tilde: '\u0303', cedil: '\u0327', ring: '\u030a',
};

/**
 * Windows-1252 maps bytes 0x80-0x9F to these characters; HTML numeric references in that range
 * ("&#146;") and C1 control characters left by mojibake mean them too.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (code >= 0x80 && code <= 0x9f) return CP1252_HIGH[code - 0x80]!;
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    const named = NAMED_ENTITIES[body];
    if (named !== undefined) return named;
    const accent = /^([A-Za-z])(acute|grave|circ|uml|tilde|cedil|ring)$/.exec(body);
    if (accent) return (accent[1]! + ACCENTS[accent[2]!]!).normalize('NFC');
    return whole;
  });
}

/** Each character's Windows-1252 byte, for the characters that have one. */
const CP1252_BYTE = new Map<string, number>();
for (let byte = 0; byte < 256; byte++) CP1252_BYTE.set(String.fromCharCode(byte), byte);
for (const [offset, char] of [...CP1252_HIGH].entries()) CP1252_BYTE.set(char, 0x80 + offset);

// A continuation byte (0x80-0xBF) as Windows-1252 or Latin-1 shows it.
const CONT = `[\\u0080-\\u00bf${[...CP1252_HIGH].filter((c) => c.charCodeAt(0) > 0xff).join('')}]`;
/** A UTF-8 sequence (lead byte + the right number of continuation bytes) shown as Windows-1252. */
const MOJIBAKE = new RegExp(`[\\u00c2-\\u00df]${CONT}|[\\u00e0-\\u00ef]${CONT}{2}|[\\u00f0-\\u00f4]${CONT}{3}`, 'g');
/** What is left of a sequence whose byte Windows-1252 could not show ("Locationâ€Aided"). */
const BROKEN = /[\u00c2\u00c3\u00e2][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]/g;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undoes UTF-8 text that was decoded as Windows-1252 (or Latin-1), up to three times over.
 * Only sequences that decode as valid UTF-8 are replaced, so real Latin-1 text ("Misérables")
 * is left alone; fragments that cannot be repaired become a space (they would otherwise glue
 * letters such as "â" to the neighbouring word).
 */
export function repairMojibake(text: string): string {
  if (!/[\u0080-\u00ff]/.test(text)) return text;
  // A no-break space (0xA0) after its lead byte is often already flattened to a plain space:
  // "WebÂ 2.0" was "Web\u00a02.0", "DéjÃ  vu" was "Déjà vu".
  let result = text.replace(/Â /g, ' ').replace(/Ã /g, 'à');
  for (let pass = 0; pass < 3; pass++) {
    const repaired = result.replace(MOJIBAKE, (sequence) => {
      const bytes = Uint8Array.from([...sequence], (char) => CP1252_BYTE.get(char)!);
      try {
        return UTF8.decode(bytes);
      } catch {
        return sequence;
      }
    });
    if (repaired === result) break;
    result = repaired;
  }
  result = result.replace(BROKEN, ' ');
  // C1 controls left over mean the Windows-1252 characters of the same byte.
  return result.replace(/[\u0080-\u009f]/g, (char) => CP1252_HIGH[char.charCodeAt(0) - 0x80]!);
}
