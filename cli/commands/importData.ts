import type { Command } from 'commander';
import { IMPORT_FORMATS, openImportSource } from '../../store/import/importSources.ts';
import { prefixIds } from '../../store/import/prefixIds.ts';
import { importWithProgress } from '../importWithProgress.ts';
import { withStore, type GlobalOptions } from '../openStore.ts';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(`import a data set in one transaction (formats: ${IMPORT_FORMATS.join(', ')}); re-importing changes nothing`)
    .argument('<format>', IMPORT_FORMATS.join(' | '))
    .argument('<path>', 'the data set directory (or, for jsonl, one file)')
    .option('--id-prefix <prefix>', 'prefix every user, item and event id, e.g. "ml:", to keep data sets with overlapping ids apart', '')
    .option('--json', 'print the import summary as JSON')
    .action(async (format: string, path: string, options: { json?: boolean; idPrefix: string }, command: Command) => {
      const source = prefixIds(openImportSource(format, path), options.idPrefix);
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db, log }) => {
        const started = performance.now();
        const summary = await importWithProgress(db, source);
        const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
        if (options.json) console.log(JSON.stringify({ format, path, seconds, ...summary }));
        else log.info({ format, path, seconds, ...summary }, 'import committed');
      });
    });
}
