import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real data sets live beside the checkout in ../shared/data and are never copied into the
 * repository; tests that need one are skipped when it is absent.
 */
export function sharedDataSet(name: 'ml-100k' | 'citeulike-a'): string | undefined {
  const dir = fileURLToPath(new URL(`../../../shared/data/${name}`, import.meta.url));
  return fs.existsSync(dir) ? dir : undefined;
}
