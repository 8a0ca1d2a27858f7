/**
 * The API key `npm start` prints: made once (team "demo", every scope) and kept in a file beside
 * the store (mode 0600), because a key's secret cannot be read back from the database, so that a
 * second start prints the same key instead of minting a new one each time.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../store/db/Database.ts';
import { createApiKey, verifyApiKey } from '../store/apiKeys.ts';

export function demoKeyFile(config: Config): string {
  return config.database.mode === 'embedded' ? path.join(path.dirname(config.database.dataDir), 'api-key') : path.resolve('.synthstore', 'api-key');
}

export async function ensureDemoApiKey(db: Database, config: Config): Promise<{ key: string; file: string; created: boolean }> {
  const file = demoKeyFile(config);
  const saved = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  if (saved && (await verifyApiKey(db, saved))) return { key: saved, file, created: false };
  const { key } = await createApiKey(db, 'demo', ['read', 'ingest', 'admin']);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, file, created: true };
}

/** What `npm start` prints once the API listens: the URL, the key and a query to paste. */
export function readyBanner(listening: string, key: string, example: { userId: string; itemIds: string[] }): string {
  const url = listening.replace('//127.0.0.1:', '//localhost:');
  const graphqlQuery = `{ recommend(userId: "${example.userId}", k: 5) { items { item { id metadata } score groupWeights { group weight } } } }`;
  const body = JSON.stringify({ query: graphqlQuery });
  return [
    '',
    `synthstore is serving ${url}`,
    `API key (team demo, scopes read, ingest, admin): ${key}`,
    `Web console: ${url.replace(/\/graphql$/, '/console/')} (sign in with the key above)`,
    '',
    'Try:',
    `curl -s ${url} -H 'content-type: application/json' -H 'authorization: Bearer ${key}' \\`,
    `  -d '${body.replace(/'/g, `'\\''`)}'`,
    '',
    `Other queries: predict(userId: "${example.userId}", itemIds: ${JSON.stringify(example.itemIds)}), features(featureSet: "item_synthesized", entityIds: ${JSON.stringify(example.itemIds)}), featureSets { name versions { version status } }`,
    'Stop with Ctrl-C.',
    '',
  ].join('\n');
}
