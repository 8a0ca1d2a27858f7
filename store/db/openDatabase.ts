import type { DatabaseConfig } from '../../config.ts';
import type { Database } from './Database.ts';
import { openEmbeddedDatabase } from './openEmbeddedDatabase.ts';
import { openServerDatabase } from './openServerDatabase.ts';

/** The one place that picks the store's database implementation. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  switch (config.mode) {
    case 'embedded':
      return openEmbeddedDatabase({ dataDir: config.dataDir });
    case 'server':
      return openServerDatabase(config.url);
    default: {
      const unknown: never = config;
      throw new Error(`unknown database mode in ${JSON.stringify(unknown)}: expected embedded or server`);
    }
  }
}
