/**
 * The made-up world of the demo data: item categories with their vocabulary, and the user
 * demographics with the taste each one shifts towards.
 */

export interface Category {
  readonly name: string;
  readonly style: 'product' | 'work';
  readonly medianPrice: number;
  readonly adjectives: readonly string[];
  readonly nouns: readonly string[];
  readonly suffixes: readonly string[];
  readonly tags: readonly string[];
  readonly phrases: readonly string[];
}

export const CATEGORIES: readonly Category[] = [
  { name: 'running shoes', style: 'product', medianPrice: 110, adjectives: ['Cushioned', 'Lightweight', 'Trail', 'Carbon', 'Breathable', 'Responsive', 'Waterproof', 'Stability'], nouns: ['Runner', 'Trainer', 'Racer', 'Glide', 'Stride', 'Pacer', 'Sprint'], suffixes: ['Pro', '2', '3', 'GTX', 'Max', 'Lite'], tags: ['running', 'footwear', 'marathon', 'trail', 'sports', 'fitness'], phrases: ['built for long runs on road and trail', 'with a responsive foam midsole', 'made for daily training miles', 'a race-day shoe with a carbon plate'] },
  { name: 'sci-fi books', style: 'work', medianPrice: 16, adjectives: ['Quantum', 'Hollow', 'Distant', 'Silent', 'Crimson', 'Last', 'Infinite', 'Fractured'], nouns: ['Starship', 'Nebula', 'Colony', 'Android', 'Empire', 'Orbit', 'Singularity', 'Frontier'], suffixes: ['Saga', 'Chronicles', 'Protocol'], tags: ['science fiction', 'space opera', 'books', 'dystopia', 'artificial intelligence', 'first contact'], phrases: ['a sweeping space opera across a dying galaxy', 'a story of first contact at the edge of known space', 'about the last colony ship and its rogue android', 'a hard science fiction novel about time dilation'] },
  { name: 'jazz albums', style: 'work', medianPrice: 13, adjectives: ['Blue', 'Midnight', 'Smoky', 'Late', 'Velvet', 'Cool', 'Modal', 'Electric'], nouns: ['Quartet', 'Nights', 'Standards', 'Sessions', 'Ballads', 'Swing', 'Groove', 'Horizons'], suffixes: ['Live', 'Vol. 2', 'Remastered'], tags: ['jazz', 'bebop', 'vinyl', 'saxophone', 'live recording', 'piano trio'], phrases: ['recorded live in a small club', 'with long modal improvisations', 'featuring a tenor saxophone lead', 'a piano trio album of late-night ballads'] },
  { name: 'cookware', style: 'product', medianPrice: 60, adjectives: ['Cast Iron', 'Nonstick', 'Stainless', 'Copper', 'Enameled', 'Carbon Steel'], nouns: ['Skillet', 'Saucepan', 'Dutch Oven', 'Wok', 'Stockpot', 'Griddle', 'Saute Pan'], suffixes: ['10-inch', '12-inch', '5 qt', 'Set'], tags: ['kitchen', 'cooking', 'cookware', 'induction ready', 'oven safe'], phrases: ['for searing, braising and slow cooking', 'that heats evenly on gas and induction', 'a kitchen workhorse that goes from stove to oven', 'easy to clean and dishwasher safe'] },
  { name: 'board games', style: 'work', medianPrice: 40, adjectives: ['Ancient', 'Hidden', 'Lost', 'Royal', 'Clockwork', 'Tiny', 'Wild'], nouns: ['Kingdoms', 'Islands', 'Railways', 'Dungeons', 'Empires', 'Gardens', 'Heist'], suffixes: ['Deluxe', 'Second Edition', 'Expansion'], tags: ['board games', 'strategy', 'party game', 'cooperative', 'family', 'card game'], phrases: ['a strategy game for two to five players', 'a cooperative game about exploring ruins', 'a quick family card game', 'an engine-building game with beautiful art'] },
  { name: 'yoga gear', style: 'product', medianPrice: 35, adjectives: ['Eco', 'Grippy', 'Cork', 'Travel', 'Thick', 'Organic'], nouns: ['Mat', 'Block', 'Strap', 'Bolster', 'Towel', 'Wheel'], suffixes: ['6mm', 'Set', 'Plus'], tags: ['yoga', 'fitness', 'meditation', 'pilates', 'wellness'], phrases: ['with a non-slip surface for hot yoga', 'for stretching, balance and restorative practice', 'light enough to carry to every class', 'made from natural rubber and cork'] },
  { name: 'indie video games', style: 'work', medianPrice: 20, adjectives: ['Pixel', 'Neon', 'Forgotten', 'Cozy', 'Endless', 'Haunted'], nouns: ['Dungeon', 'Farm', 'Odyssey', 'Tower', 'Drift', 'Realm'], suffixes: ['Remix', 'Deluxe', 'Zero'], tags: ['video games', 'indie', 'roguelike', 'pixel art', 'puzzle', 'platformer'], phrases: ['a roguelike with hand-drawn pixel art', 'a cozy farming game with a mystery', 'a fast platformer with a synth soundtrack', 'a puzzle adventure in a haunted tower'] },
  { name: 'specialty coffee', style: 'product', medianPrice: 18, adjectives: ['Ethiopian', 'Colombian', 'Dark Roast', 'Light Roast', 'Single Origin', 'Decaf'], nouns: ['Espresso Blend', 'Whole Beans', 'Pour Over', 'Cold Brew', 'Filter Roast'], suffixes: ['250g', '1kg', 'Reserve'], tags: ['coffee', 'espresso', 'organic', 'fair trade', 'whole bean'], phrases: ['with notes of berries and dark chocolate', 'roasted in small batches every week', 'a smooth blend for espresso and milk drinks', 'bright and floral, ideal for pour over'] },
  { name: 'mystery novels', style: 'work', medianPrice: 14, adjectives: ['Silent', 'Missing', 'Crooked', 'Drowned', 'Midnight', 'Poisoned'], nouns: ['Witness', 'Detective', 'Alibi', 'Inheritance', 'Manor', 'Confession'], suffixes: ['Affair', 'Case', 'Mystery'], tags: ['mystery', 'crime', 'thriller', 'detective', 'books', 'whodunit'], phrases: ['a locked-room murder in a country manor', 'a detective hunts a killer through a rainy city', 'a whodunit with a twist in the last chapter', 'a cold case reopened by a missing witness'] },
  { name: 'hiking gear', style: 'product', medianPrice: 120, adjectives: ['Ultralight', 'Alpine', 'Waterproof', 'Insulated', 'Packable'], nouns: ['Backpack', 'Tent', 'Rain Jacket', 'Trekking Poles', 'Sleeping Bag', 'Headlamp'], suffixes: ['45L', '2P', 'Pro', 'Trail'], tags: ['hiking', 'outdoors', 'camping', 'backpacking', 'trail'], phrases: ['for multi-day treks above the tree line', 'that packs down small for backpacking', 'tested in wind, rain and snow', 'a three-season essential for the trail'] },
  { name: 'skincare', style: 'product', medianPrice: 28, adjectives: ['Hydrating', 'Gentle', 'Vitamin C', 'Retinol', 'Soothing', 'Mineral'], nouns: ['Serum', 'Moisturizer', 'Cleanser', 'Sunscreen', 'Toner', 'Night Cream'], suffixes: ['30ml', '50ml', 'SPF 50'], tags: ['skincare', 'beauty', 'vegan', 'fragrance free', 'spf'], phrases: ['for sensitive and dry skin', 'with hyaluronic acid and niacinamide', 'a lightweight daily formula', 'dermatologist tested and fragrance free'] },
  { name: 'headphones', style: 'product', medianPrice: 150, adjectives: ['Wireless', 'Noise Cancelling', 'Studio', 'Open Back', 'True Wireless', 'Bass Boost'], nouns: ['Headphones', 'Earbuds', 'Monitors', 'Headset', 'Speaker'], suffixes: ['X1', '700', 'Pro', 'Air', 'Mk II'], tags: ['audio', 'headphones', 'bluetooth', 'music', 'noise cancelling'], phrases: ['with 30 hours of battery life', 'tuned for detailed, balanced sound', 'with active noise cancelling for travel', 'a comfortable fit for long listening sessions'] },
];

/** The category names, in the order the generator numbers them. */
export const DEMO_CATEGORIES: readonly string[] = CATEGORIES.map((category) => category.name);

export const GENERIC_TAGS = ['bestseller', 'new arrival', 'gift idea', 'eco friendly', 'limited edition'];
export const GENERIC_SENTENCES = ['A favourite among reviewers.', 'Ships within two days.', 'Limited stock.', 'Back by popular demand.', 'A great gift.', ''];

export type Likes = Readonly<Record<string, number>>;

/** Age groups shift taste towards the categories they like (relative to the other groups). */
export const AGE_GROUPS: readonly { readonly upTo: number; readonly likes: Likes }[] = [
  { upTo: 24, likes: { 'indie video games': 1, headphones: 0.8, 'running shoes': 0.4, 'sci-fi books': 0.5, skincare: 0.3 } },
  { upTo: 34, likes: { 'running shoes': 0.9, 'specialty coffee': 0.8, 'yoga gear': 0.6, 'hiking gear': 0.5, headphones: 0.3 } },
  { upTo: 49, likes: { cookware: 0.9, 'board games': 0.9, 'hiking gear': 0.6, 'specialty coffee': 0.4 } },
  { upTo: 64, likes: { 'mystery novels': 0.9, 'jazz albums': 0.8, cookware: 0.6, 'hiking gear': 0.3 } },
  { upTo: Infinity, likes: { 'jazz albums': 1, 'mystery novels': 1, cookware: 0.4, 'board games': 0.3 } },
];

export const GENDERS: readonly { readonly value: string; readonly weight: number; readonly likes: Likes }[] = [
  { value: 'female', weight: 0.49, likes: { skincare: 0.9, 'yoga gear': 0.7, 'mystery novels': 0.3 } },
  { value: 'male', weight: 0.48, likes: { headphones: 0.5, 'indie video games': 0.4, 'hiking gear': 0.4 } },
  { value: 'nonbinary', weight: 0.03, likes: { 'sci-fi books': 0.6, 'indie video games': 0.5, 'board games': 0.3 } },
];

/** Countries with their share of users and UTC offset (hours), for realistic local times. */
export const COUNTRIES: readonly { readonly code: string; readonly weight: number; readonly utcOffset: number }[] = [
  { code: 'US', weight: 0.3, utcOffset: -5 },
  { code: 'GB', weight: 0.1, utcOffset: 0 },
  { code: 'DE', weight: 0.1, utcOffset: 1 },
  { code: 'FR', weight: 0.08, utcOffset: 1 },
  { code: 'IN', weight: 0.12, utcOffset: 5.5 },
  { code: 'BR', weight: 0.08, utcOffset: -3 },
  { code: 'JP', weight: 0.07, utcOffset: 9 },
  { code: 'CA', weight: 0.06, utcOffset: -5 },
  { code: 'ES', weight: 0.05, utcOffset: 1 },
  { code: 'MX', weight: 0.04, utcOffset: -6 },
];

/** Occupations with a weight per age group (same order as AGE_GROUPS) and the taste shift. */
export const OCCUPATIONS: readonly { readonly value: string; readonly byAge: readonly number[]; readonly likes: Likes }[] = [
  { value: 'student', byAge: [6, 1, 0.1, 0.05, 0.02], likes: { 'indie video games': 0.6, 'sci-fi books': 0.5 } },
  { value: 'engineer', byAge: [0.5, 2, 2, 1.5, 0.1], likes: { 'sci-fi books': 0.7, headphones: 0.5, 'board games': 0.3 } },
  { value: 'teacher', byAge: [0.2, 1, 1, 1, 0.1], likes: { 'mystery novels': 0.6, 'board games': 0.5 } },
  { value: 'nurse', byAge: [0.3, 1, 1, 0.8, 0.05], likes: { 'running shoes': 0.5, skincare: 0.5 } },
  { value: 'artist', byAge: [0.5, 0.8, 0.6, 0.5, 0.2], likes: { 'jazz albums': 0.7, 'specialty coffee': 0.5 } },
  { value: 'sales', byAge: [0.8, 1.5, 1.2, 1, 0.1], likes: { 'running shoes': 0.4, 'specialty coffee': 0.5 } },
  { value: 'manager', byAge: [0.1, 1, 1.8, 1.5, 0.1], likes: { 'hiking gear': 0.6, headphones: 0.4 } },
  { value: 'chef', byAge: [0.3, 0.6, 0.5, 0.4, 0.05], likes: { cookware: 1, 'specialty coffee': 0.4 } },
  { value: 'retired', byAge: [0, 0, 0.02, 0.8, 6], likes: { 'jazz albums': 0.5, 'mystery novels': 0.5 } },
  { value: 'other', byAge: [0.8, 0.8, 0.8, 0.8, 0.5], likes: {} },
];
