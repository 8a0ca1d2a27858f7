import type { Command } from 'commander';
import { API_SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiScope } from '../../store/apiKeys.ts';
import { CliError, withStore, type GlobalOptions } from '../openStore.ts';

/** `synthstore apikey create|list|revoke`: the API keys of client teams. */
export function registerApiKey(program: Command): void {
  const apikey = program.command('apikey').description('manage the API keys client teams send to the GraphQL API');
  apikey
    .command('create')
    .description('create a key for a team; its secret is printed this once')
    .requiredOption('--team <team>', 'the client team')
    .requiredOption('--scopes <list>', `comma-separated scopes: ${API_SCOPES.join(', ')}`)
    .option('--json', 'print the key as JSON')
    .action(async (options: { team: string; scopes: string; json?: boolean }, command: Command) => {
      const scopes = options.scopes.split(',').map((scope) => scope.trim().toLowerCase()).filter(Boolean);
      const unknown = scopes.filter((scope) => !(API_SCOPES as readonly string[]).includes(scope));
      if (unknown.length > 0) throw new CliError(`--scopes: expected ${API_SCOPES.join(', ')}, got "${unknown.join(', ')}"`);
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const { key, record } = await createApiKey(db, options.team, scopes as ApiScope[]);
        console.log(options.json ? JSON.stringify({ key, ...record }) : key);
      });
    });
  apikey
    .command('list')
    .description('list the keys (prefixes, teams, scopes; never secrets)')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        console.log(JSON.stringify(await listApiKeys(db), null, 2));
      });
    });
  apikey
    .command('revoke <prefix>')
    .description('revoke a key by its prefix: it stops working at once')
    .action(async (prefix: string, _options: unknown, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        console.log(JSON.stringify(await revokeApiKey(db, prefix)));
      });
    });
}
