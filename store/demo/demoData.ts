/**
 * Seeded, realistic synthetic data for demos and tests: users with demographics, items with
 * text/categorical/numeric metadata, interaction events and modality embeddings, drawn from a
 * latent preference model in which metadata genuinely predicts behaviour, so that features
 * synthesized from non-event data can help cold users and items (DESIGN.md section 1).
 *
 * The model: each item belongs to a category and has a latent vector (category centroid plus
 * noise); each user has a taste vector made of shifts for their age group, country, gender and
 * occupation plus individual noise. A warm user picks warm items with probability proportional
 * to exp(affinity / temperature) * popularity, where affinity is taste . latent and popularity
 * is Zipf-like. A `coldShare` of users and of items never appears in any event.
 */
import type { FieldDeclaration, IngestItem, Metadata } from '../ingest/records.ts';
import { hashString, Random } from './random.ts';
import { type Category, CATEGORIES, GENERIC_TAGS, GENERIC_SENTENCES, type Likes, AGE_GROUPS, GENDERS, COUNTRIES, OCCUPATIONS } from './demoCatalog.ts';
import { gaussianVector, dot, addScaled, scaleToNorm } from './vectorMath.ts';

export interface DemoDataOptions {
  seed: number;
  users: number;
  items: number;
  /** Mean number of events of a warm user (each user varies around it). */
  eventsPerUser: number;
  /** Fraction of users and of items that get NO events: the cold ones. */
  coldShare: number;
  /** Width of the hidden taste / item vectors; default 16. */
  latentDim?: number;
  /** Width of the item image embeddings; default 32. */
  imageDim?: number;
  /** Width of the item text embeddings; default 16. */
  textDim?: number;
  /** Fraction of items without an image embedding (a missing modality); default 0.15. */
  missingImageShare?: number;
  /** When events begin; default 2025-01-01T00:00:00Z. */
  start?: Date;
  /** How many days events span; default 180. */
  days?: number;
}

export const DEFAULT_DEMO_OPTIONS: DemoDataOptions = Object.freeze({
  seed: 42,
  users: 2000,
  items: 1000,
  eventsPerUser: 20,
  coldShare: 0.1,
  latentDim: 16,
  imageDim: 32,
  textDim: 16,
  days: 180,
});

export const DEMO_IMAGE_MODEL = 'demo-image-encoder-v1';
export const DEMO_TEXT_MODEL = 'demo-text-encoder-v1';
export const DEMO_EVENT_TYPES = ['view', 'click', 'purchase', 'rating'] as const;

export const DEMO_FIELDS: readonly FieldDeclaration[] = [
  { entityType: 'user', name: 'age', type: 'numeric', description: 'age in years, 18 to 75' },
  { entityType: 'user', name: 'gender', type: 'categorical', description: 'female, male or nonbinary' },
  { entityType: 'user', name: 'country', type: 'categorical', description: 'ISO 3166 country code' },
  { entityType: 'user', name: 'occupation', type: 'categorical' },
  { entityType: 'item', name: 'title', type: 'text' },
  { entityType: 'item', name: 'description', type: 'text' },
  { entityType: 'item', name: 'category', type: 'categorical' },
  { entityType: 'item', name: 'price', type: 'numeric', description: 'price in USD' },
  { entityType: 'item', name: 'tags', type: 'tags' },
  { entityType: 'item', name: 'release_date', type: 'date' },
];

// Weights of the taste components (each a vector of norm sqrt(latentDim)): demographics explain
// a good part of the taste, individual noise the rest.
const TASTE_WEIGHTS = { age: 1, country: 0.7, gender: 0.45, occupation: 0.6, individual: 1.1 };
const ITEM_NOISE = 0.55;
const TEMPERATURE = 0.55;
const ZIPF_EXPONENT = 0.7;
/** Relative likelihood of starting a session in each local hour of the day. */
const HOURLY = [0.3, 0.15, 0.08, 0.05, 0.05, 0.08, 0.2, 0.45, 0.6, 0.6, 0.6, 0.7, 0.9, 0.85, 0.7, 0.65, 0.7, 0.85, 1, 1.2, 1.3, 1.2, 0.9, 0.55];
const DEVICES = ['mobile', 'desktop', 'tablet'];
const SURFACES = ['home', 'search', 'recommendations', 'category'];
const SURFACE_WEIGHTS = [0.35, 0.3, 0.25, 0.1];
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

interface ResolvedOptions {
  readonly seed: number;
  readonly users: number;
  readonly items: number;
  readonly eventsPerUser: number;
  readonly coldShare: number;
  readonly latentDim: number;
  readonly imageDim: number;
  readonly textDim: number;
  readonly missingImageShare: number;
  readonly startMs: number;
  readonly days: number;
}

interface DemoUser {
  readonly id: string;
  readonly metadata: Metadata;
  readonly ageGroup: number;
  readonly utcOffset: number;
  readonly taste: Float64Array;
  readonly cold: boolean;
}

interface DemoItem {
  readonly id: string;
  readonly category: number;
  readonly latent: Float64Array;
  readonly popularity: number;
  readonly metadata: Metadata;
  readonly title: string;
  readonly cold: boolean;
  readonly hasImage: boolean;
}

interface DemoWorld {
  readonly options: ResolvedOptions;
  readonly users: readonly DemoUser[];
  readonly items: readonly DemoItem[];
}

/** Synthetic demo data as a stream: field declarations, users, items, events, embeddings. */
export function demoDataSource(options: DemoDataOptions): { format: 'demo'; read(): AsyncIterable<IngestItem> } {
  const resolved = resolveOptions(options);
  return {
    format: 'demo',
    async *read(): AsyncGenerator<IngestItem> {
      const world = buildWorld(resolved);
      for (const [index, record] of DEMO_FIELDS.entries()) yield { kind: 'field', origin: { batch: 'demo-fields', index }, record };
      for (const [index, user] of world.users.entries()) {
        yield { kind: 'entity', origin: { batch: 'demo-users', index }, record: { entityType: 'user', externalId: user.id, metadata: user.metadata } };
      }
      for (const [index, item] of world.items.entries()) {
        yield { kind: 'entity', origin: { batch: 'demo-items', index }, record: { entityType: 'item', externalId: item.id, metadata: item.metadata } };
      }
      yield* generateEvents(world);
      yield* generateEmbeddings(world);
    },
  };
}

/** The ids of the users and items that the demo data keeps cold (no events), for evaluation. */
export function demoColdIds(options: DemoDataOptions): { users: string[]; items: string[] } {
  const world = buildWorld(resolveOptions(options));
  return {
    users: world.users.filter((user) => user.cold).map((user) => user.id),
    items: world.items.filter((item) => item.cold).map((item) => item.id),
  };
}

function resolveOptions(options: DemoDataOptions): ResolvedOptions {
  const count = (name: string, value: number | undefined, fallback: number, min: number): number => {
    const resolved = value ?? fallback;
    if (!Number.isSafeInteger(resolved) || resolved < min) throw new RangeError(`demo data: ${name} must be an integer >= ${min}, got ${resolved}`);
    return resolved;
  };
  const share = (name: string, value: number | undefined, fallback: number): number => {
    const resolved = value ?? fallback;
    if (!(resolved >= 0 && resolved <= 1)) throw new RangeError(`demo data: ${name} must be between 0 and 1, got ${resolved}`);
    return resolved;
  };
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`demo data: seed must be an integer, got ${options.seed}`);
  if (!(options.eventsPerUser >= 0 && Number.isFinite(options.eventsPerUser))) {
    throw new RangeError(`demo data: eventsPerUser must be a number >= 0, got ${options.eventsPerUser}`);
  }
  const start = options.start ?? new Date('2025-01-01T00:00:00Z');
  if (Number.isNaN(start.getTime())) throw new RangeError('demo data: start is not a valid date');
  const days = options.days ?? 180;
  if (!(days > 0 && Number.isFinite(days))) throw new RangeError(`demo data: days must be a positive number, got ${days}`);
  return {
    seed: options.seed,
    users: count('users', options.users, 0, 0),
    items: count('items', options.items, 0, 0),
    eventsPerUser: options.eventsPerUser,
    coldShare: share('coldShare', options.coldShare, 0),
    latentDim: count('latentDim', options.latentDim, 16, 1),
    imageDim: count('imageDim', options.imageDim, 32, 1),
    textDim: count('textDim', options.textDim, 16, 1),
    missingImageShare: share('missingImageShare', options.missingImageShare, 0.15),
    startMs: start.getTime(),
    days,
  };
}

function buildWorld(options: ResolvedOptions): DemoWorld {
  const root = new Random(options.seed);
  const dim = options.latentDim;
  const centroidRandom = root.derive('centroids');
  const centroids = CATEGORIES.map(() => gaussianVector(centroidRandom, dim, 1));
  const mean = new Float64Array(dim);
  for (const centroid of centroids) for (let d = 0; d < dim; d++) mean[d]! += centroid[d]! / centroids.length;
  const direction = (likes: readonly number[]): Float64Array => {
    const average = likes.reduce((sum, like) => sum + like, 0) / likes.length;
    const vector = new Float64Array(dim);
    for (const [c, centroid] of centroids.entries()) {
      const weight = likes[c]! - average;
      for (let d = 0; d < dim; d++) vector[d]! += weight * (centroid[d]! - mean[d]!);
    }
    return scaleToNorm(vector, Math.sqrt(dim));
  };
  const likesVector = (likes: Likes): number[] => CATEGORIES.map((category) => likes[category.name] ?? 0);
  const countryRandom = root.derive('countries');
  const shifts = {
    age: AGE_GROUPS.map((group) => direction(likesVector(group.likes))),
    gender: GENDERS.map((gender) => direction(likesVector(gender.likes))),
    occupation: OCCUPATIONS.map((occupation) => direction(likesVector(occupation.likes))),
    country: COUNTRIES.map(() => direction(CATEGORIES.map(() => countryRandom.normal()))),
  };

  const users: DemoUser[] = [];
  const userRandom = root.derive('users');
  const coldUsers = coldSet(root.derive('cold-users'), options.users, options.coldShare);
  const userWidth = String(options.users).length;
  for (let u = 0; u < options.users; u++) {
    const drawn = userRandom.normal(38, 14);
    const age = Math.round(clamp(drawn < 18 ? 36 - drawn : drawn, 18, 75)); // reflected at 18
    const ageGroup = AGE_GROUPS.findIndex((group) => age <= group.upTo);
    const gender = userRandom.weightedIndex(GENDERS.map((entry) => entry.weight));
    const country = userRandom.weightedIndex(COUNTRIES.map((entry) => entry.weight));
    const occupation = userRandom.weightedIndex(OCCUPATIONS.map((entry) => entry.byAge[ageGroup]!));
    const taste = gaussianVector(userRandom, dim, TASTE_WEIGHTS.individual);
    addScaled(taste, shifts.age[ageGroup]!, TASTE_WEIGHTS.age);
    addScaled(taste, shifts.country[country]!, TASTE_WEIGHTS.country);
    addScaled(taste, shifts.gender[gender]!, TASTE_WEIGHTS.gender);
    addScaled(taste, shifts.occupation[occupation]!, TASTE_WEIGHTS.occupation);
    users.push({
      id: `u${String(u + 1).padStart(userWidth, '0')}`,
      metadata: { age, gender: GENDERS[gender]!.value, country: COUNTRIES[country]!.code, occupation: OCCUPATIONS[occupation]!.value },
      ageGroup,
      utcOffset: COUNTRIES[country]!.utcOffset,
      taste: scaleToNorm(taste, 1),
      cold: coldUsers.has(u),
    });
  }

  const items: DemoItem[] = [];
  const itemRandom = root.derive('items');
  const coldItems = coldSet(root.derive('cold-items'), options.items, options.coldShare);
  const withoutImage = coldSet(root.derive('missing-images'), options.items, options.missingImageShare);
  const ranks = root.derive('popularity').shuffle(Array.from({ length: options.items }, (_, index) => index));
  // A direction per category inside which the item's own latent offset picks its adjective,
  // so that title words carry signal beyond the category.
  const styleRandom = root.derive('styles');
  const styleAxes = CATEGORIES.map(() => scaleToNorm(gaussianVector(styleRandom, dim, 1), 1));
  const itemWidth = String(options.items).length;
  const startDay = Math.floor(options.startMs / DAY_MS);
  for (let i = 0; i < options.items; i++) {
    const categoryIndex = itemRandom.int(CATEGORIES.length);
    const category = CATEGORIES[categoryIndex]!;
    const noise = gaussianVector(itemRandom, dim, ITEM_NOISE);
    const latent = Float64Array.from(centroids[categoryIndex]!, (value, d) => value + noise[d]!);
    const style = dot(noise, styleAxes[categoryIndex]!) / ITEM_NOISE; // ~ N(0, 1)
    const title = makeTitle(itemRandom, category, style);
    const tags = itemRandom.shuffle([...category.tags]).slice(0, 2 + itemRandom.int(3));
    if (itemRandom.chance(0.12)) tags.push(itemRandom.pick(GENERIC_TAGS));
    const quality = dot(noise, styleAxes[(categoryIndex + 1) % CATEGORIES.length]!) / ITEM_NOISE;
    const price = roundPrice(category.medianPrice * Math.exp(itemRandom.normal(0, 0.35) + 0.15 * quality));
    const releaseDay = startDay - 1 - Math.floor(3650 * itemRandom.next() ** 1.6);
    const description = `${capitalize(itemRandom.pick(category.phrases))}. ${itemRandom.pick(GENERIC_SENTENCES)}`.trim();
    items.push({
      id: `i${String(i + 1).padStart(itemWidth, '0')}`,
      category: categoryIndex,
      latent,
      popularity: (ranks[i]! + 1) ** -ZIPF_EXPONENT,
      metadata: {
        title,
        description,
        category: category.name,
        price,
        tags,
        release_date: new Date(releaseDay * DAY_MS).toISOString().slice(0, 10),
      },
      title,
      cold: coldItems.has(i),
      hasImage: !withoutImage.has(i),
    });
  }
  return { options, users, items };
}

function makeTitle(random: Random, category: Category, style: number): string {
  // The adjective follows the item's style most of the time (a logistic approximation of the
  // normal CDF maps it onto the adjective list), else it is random.
  const adjectives = category.adjectives;
  const styled = adjectives[Math.min(adjectives.length - 1, Math.floor(adjectives.length / (1 + Math.exp(-1.7 * style))))]!;
  const adjective = random.chance(0.75) ? styled : random.pick(adjectives);
  const noun = random.pick(category.nouns);
  if (category.style === 'product') return random.chance(0.5) ? `${adjective} ${noun} ${random.pick(category.suffixes)}` : `${adjective} ${noun}`;
  switch (random.int(4)) {
    case 0:
      return `The ${adjective} ${noun}`;
    case 1:
      return `${noun} of the ${adjective} ${random.pick(category.nouns)}`;
    case 2:
      return `${adjective} ${noun}: ${random.pick(category.suffixes)}`;
    default:
      return `${adjective} ${noun}`;
  }
}

interface PlannedEvent {
  readonly item: DemoItem;
  readonly type: (typeof DEMO_EVENT_TYPES)[number];
  readonly value: number;
}

function* generateEvents(world: DemoWorld): Generator<IngestItem> {
  const { options } = world;
  const random = new Random(options.seed).derive('events');
  const warmItems = world.items.filter((item) => !item.cold);
  if (warmItems.length === 0 || options.eventsPerUser === 0) return;
  const fingerprint = hashString(JSON.stringify([options.users, options.items, options.eventsPerUser, options.coldShare, options.latentDim, options.startMs, options.days]))
    .toString(16)
    .padStart(8, '0');
  const endMs = options.startMs + options.days * DAY_MS;
  const affinity = new Float64Array(warmItems.length);
  const cumulative = new Float64Array(warmItems.length);
  // The users x warm items loop dominates generating large catalogues: flat arrays keep it tight
  // (the same products in the same order as dot(), so the same data).
  const dim = options.latentDim;
  const latents = new Float64Array(warmItems.length * dim);
  const popularity = new Float64Array(warmItems.length);
  for (const [k, item] of warmItems.entries()) {
    latents.set(item.latent, k * dim);
    popularity[k] = item.popularity;
  }
  let serial = 0;
  for (const user of world.users) {
    if (user.cold) continue;
    // Affinities of this user to every warm item, standardized for ratings and funnel odds.
    let sum = 0;
    let sumSquares = 0;
    let total = 0;
    const taste = user.taste;
    for (let k = 0, offset = 0; k < warmItems.length; k++, offset += dim) {
      let value = 0;
      for (let d = 0; d < dim; d++) value += taste[d]! * latents[offset + d]!;
      affinity[k] = value;
      sum += value;
      sumSquares += value * value;
      total += Math.exp(value / TEMPERATURE) * popularity[k]!;
      cumulative[k] = total;
    }
    const mean = sum / warmItems.length;
    const sd = Math.sqrt(Math.max(sumSquares / warmItems.length - mean * mean, 1e-12));
    const activity = Math.exp(random.normal(-0.125, 0.5)); // log-normal with mean 1
    const count = Math.max(1, random.poisson(options.eventsPerUser * activity));

    const planned: PlannedEvent[] = [];
    while (planned.length < count) {
      const k = searchCumulative(cumulative, random.next() * total);
      const item = warmItems[k]!;
      const z = (affinity[k]! - mean) / sd;
      planned.push({ item, type: 'view', value: 1 });
      let purchased = false;
      if (random.chance(0.1 + 0.3 * sigmoid(z - 1))) {
        planned.push({ item, type: 'click', value: 1 });
        if (random.chance(0.08 + 0.3 * sigmoid(z - 1.5))) {
          planned.push({ item, type: 'purchase', value: 1 });
          purchased = true;
        }
      }
      if (random.chance(purchased ? 0.6 : 0.04)) {
        const rating = clamp(Math.round(2.1 + 0.9 * z + random.normal(0, 0.7)), 1, 5);
        planned.push({ item, type: 'rating', value: rating });
      }
    }
    planned.length = count;

    const times = eventTimes(random, planned, user, options, endMs);
    let device = '';
    let surface = '';
    for (const [k, event] of planned.entries()) {
      if (times.sessionStarts.has(k)) {
        device = pickDevice(random, user);
        surface = SURFACES[random.weightedIndex(SURFACE_WEIGHTS)]!;
      }
      serial++;
      yield {
        kind: 'event',
        origin: { batch: 'demo-events', index: serial - 1 },
        record: {
          userId: user.id,
          itemId: event.item.id,
          type: event.type,
          value: event.value,
          occurredAt: new Date(times.ms[k]!),
          clientEventId: `demo-${options.seed}-${fingerprint}-${serial}`,
          context: { device, surface },
        },
      };
    }
  }
}

/** Realistic, strictly increasing times: sessions on random days at local daytime hours. */
function eventTimes(random: Random, planned: readonly PlannedEvent[], user: DemoUser, options: ResolvedOptions, endMs: number): { ms: number[]; sessionStarts: Set<number> } {
  const sessionStarts = new Set<number>([0]);
  for (let k = 1; k < planned.length; k++) if (planned[k]!.type === 'view' && random.chance(0.3)) sessionStarts.add(k);
  const dayCount = Math.max(1, Math.ceil(options.days));
  const joinDay = Math.floor(random.next() * dayCount * 0.6);
  const starts: number[] = [];
  for (let s = 0; s < sessionStarts.size; s++) {
    const day = joinDay + random.int(dayCount - joinDay);
    const localHour = random.weightedIndex(HOURLY) + random.next();
    starts.push(options.startMs + day * DAY_MS + (localHour - user.utcOffset) * HOUR_MS);
  }
  starts.sort((a, b) => a - b);
  const ms: number[] = [];
  let session = -1;
  let time = 0;
  for (const [k, event] of planned.entries()) {
    if (sessionStarts.has(k)) {
      session++;
      time = starts[session]!;
    } else {
      const meanGap = { view: 60_000, click: 12_000, purchase: 120_000, rating: 300_000 }[event.type];
      time += 2_000 - meanGap * Math.log(1 - random.next());
    }
    ms.push(Math.round(time));
  }
  // Keep every time inside [start, end) and strictly increasing, one second apart at least.
  const n = ms.length;
  for (let k = 0; k < n; k++) ms[k] = Math.max(ms[k]!, k === 0 ? options.startMs : ms[k - 1]! + 1000);
  for (let k = n - 1; k >= 0; k--) ms[k] = Math.min(ms[k]!, k === n - 1 ? endMs - 1000 : ms[k + 1]! - 1000);
  return { ms, sessionStarts };
}

function pickDevice(random: Random, user: DemoUser): string {
  const mobile = [0.75, 0.65, 0.5, 0.4, 0.3][user.ageGroup] ?? 0.5;
  return DEVICES[random.weightedIndex([mobile, (1 - mobile) * 0.75, (1 - mobile) * 0.25])]!;
}

function* generateEmbeddings(world: DemoWorld): Generator<IngestItem> {
  const { options } = world;
  const root = new Random(options.seed);
  const random = root.derive('embeddings');
  const projectionRandom = root.derive('image-projection');
  const imageProjection = Array.from({ length: options.imageDim }, () => gaussianVector(projectionRandom, options.latentDim, 1 / Math.sqrt(options.latentDim)));
  const textRandom = root.derive('text-categories');
  const categoryText = CATEGORIES.map(() => gaussianVector(textRandom, options.textDim, 1));
  const words = new Map<string, Float64Array>();
  const wordVector = (word: string): Float64Array => {
    let vector = words.get(word);
    if (!vector) {
      vector = gaussianVector(root.derive(`word:${word}`), options.textDim, 1);
      words.set(word, vector);
    }
    return vector;
  };
  let index = 0;
  for (const item of world.items) {
    if (item.hasImage) {
      const image = imageProjection.map((row) => dot(row, item.latent) + random.normal(0, 0.3));
      yield embedding(index++, item.id, 'image', DEMO_IMAGE_MODEL, image);
    }
    const text = Float64Array.from(categoryText[item.category]!, (value) => 0.8 * value + random.normal(0, 0.15));
    const tokens = item.title.toLowerCase().match(/[a-z0-9]+/g) ?? [];
    for (const token of tokens) addScaled(text, wordVector(token), 1 / Math.sqrt(tokens.length));
    yield embedding(index++, item.id, 'text', DEMO_TEXT_MODEL, Array.from(text));
  }
}

function embedding(index: number, id: string, modality: string, modelName: string, vector: ArrayLike<number>): IngestItem {
  const unit = scaleToNorm(Float64Array.from(vector), 1);
  return {
    kind: 'embedding',
    origin: { batch: 'demo-embeddings', index },
    record: { entityType: 'item', externalId: id, modality, modelName, vector: Array.from(unit, (value) => Math.round(value * 1e5) / 1e5) },
  };
}

/** `round(share * count)` indices chosen by a seeded shuffle. */
function coldSet(random: Random, count: number, share: number): Set<number> {
  const order = random.shuffle(Array.from({ length: count }, (_, index) => index));
  return new Set(order.slice(0, Math.round(share * count)));
}

function searchCumulative(cumulative: Float64Array, target: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle]! > target) high = middle;
    else low = middle + 1;
  }
  return low;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function roundPrice(price: number): number {
  return price >= 5 ? Math.round(price) - 0.01 : Math.round(price * 100) / 100;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
