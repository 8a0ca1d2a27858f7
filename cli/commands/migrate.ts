import type { Command } from 'commander';
import { migrate } from '../../store/migrate.ts';
import { withStore, type GlobalOptions } from '../openStore.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (recorded in _prisma_migrations as Prisma does)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db, log }) => {
        const result = await migrate(db);
        if (options.json) console.log(JSON.stringify({ location: db.location, ...result }));
        else log.info({ location: db.location, ...result }, result.applied.length ? 'migrations applied' : 'already up to date');
      }, { requireMigrated: false });
    });
}
