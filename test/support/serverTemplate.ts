import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openServerDatabase } from '../../store/db/openServerDatabase.ts';
import { migrate } from '../../store/migrate.ts';

export interface ServerDatabase {
  readonly name: string;
  readonly url: string;
  readonly adminUrl: string;
}

/** Creates and migrates a template database beside the one DATABASE_URL names. */
export async function createTemplateDatabase(adminUrl: string): Promise<ServerDatabase> {
  const template = await createDatabase(adminUrl, `synthstore_template_${randomBytes(4).toString('hex')}`);
  const db = await openServerDatabase(template.url);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return template;
}

export async function dropTemplateDatabase(template: ServerDatabase): Promise<void> {
  await dropDatabase(template);
}

/** A fresh copy of the template: each test file gets its own database. */
export async function cloneTemplateDatabase(templateUrl: string, adminUrl: string): Promise<ServerDatabase> {
  const templateName = new URL(templateUrl).pathname.slice(1);
  return createDatabase(adminUrl, `synthstore_test_${randomBytes(6).toString('hex')}`, templateName);
}

export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<ServerDatabase> {
  await withAdmin(adminUrl, (client) =>
    client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), adminUrl };
}

export async function dropDatabase(database: ServerDatabase): Promise<void> {
  await withAdmin(database.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`));
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
