import pino from 'pino';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../config.ts';
import { DEFAULT_MATERIALIZE_SETTINGS, type JobDependencies } from '../../jobs/interfaces.ts';
import { listRuns } from '../../jobs/materialize/runProgress.ts';
import { openJobQueue, QUEUES } from '../../jobs/queue/openJobQueue.ts';
import { enqueueDueSchedules, occurrenceJobId } from '../../jobs/schedules/enqueueDueSchedules.ts';
import { addSchedule, listSchedules, removeSchedule } from '../../jobs/schedules/schedules.ts';
import { runWorker } from '../../jobs/worker.ts';
import { resolveVersion } from '../../store/featureSets/versions.ts';
import { openTestDatabase, testedMode, type TestDatabase } from '../support/testDatabase.ts';
import { countRows, seedItems } from '../support/materializeFixtures.ts';

describe('schedules and the job queue (pg-boss)', () => {
  let test: TestDatabase;
  let boss: PgBoss;
  let deps: JobDependencies;
  let sets: Awaited<ReturnType<typeof seedItems>>;
  beforeAll(async () => {
    test = await openTestDatabase();
    const database: DatabaseConfig = testedMode === 'server' ? { mode: 'server', url: test.cli.env.DATABASE_URL! } : { mode: 'embedded', dataDir: 'memory' };
    boss = await openJobQueue(test.db, database, { supervise: false });
    deps = { db: test.db, log: pino({ level: 'silent' }), backend: 'cpu' };
    sets = await seedItems(test.db, 120, 'sched');
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, close: true });
    await test?.dispose();
  });

  it('validates schedules and lists them with their next run', async () => {
    await expect(addSchedule(test.db, { name: 'bad', cron: 'every minute', task: 'materialize', args: { featureSet: sets.raw } })).rejects.toThrow(/cron: "every minute" is not a cron expression/);
    await expect(addSchedule(test.db, { name: 'bad', cron: '* * * * *', timezone: 'Mars/Base', task: 'materialize', args: { featureSet: sets.raw } })).rejects.toThrow(/unknown time zone "Mars\/Base"/);
    await expect(addSchedule(test.db, { name: 'bad', cron: '* * * * *', task: 'materialize', args: { featureSet: 'nope' } })).rejects.toThrow(/no feature set "nope"/);
    await expect(addSchedule(test.db, { name: 'bad', cron: '* * * * *', task: 'train', args: { config: { epochs: 'many' } } })).rejects.toThrow(/training config/);
    const added = await addSchedule(test.db, { name: 'nightly-raw', cron: '0 3 * * *', timezone: 'Europe/Berlin', task: 'materialize', args: { featureSet: sets.raw, mode: 'incremental' } });
    expect(added).toMatchObject({ task: 'materialize', featureSet: sets.raw, args: { featureSet: sets.raw, mode: 'incremental' }, enabled: true, lastRunAt: null });
    expect(added.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    await expect(addSchedule(test.db, { name: 'nightly-raw', cron: '0 3 * * *', task: 'materialize', args: { featureSet: sets.raw } })).rejects.toThrow(/exists already/);
    expect((await listSchedules(test.db)).map((s) => s.name)).toEqual(['nightly-raw']);
    await removeSchedule(test.db, 'nightly-raw');
    await expect(removeSchedule(test.db, 'nightly-raw')).rejects.toThrow(/no schedule named/);
  });

  it('a due schedule enqueues exactly one job per occurrence, which a worker runs to a published version', async () => {
    const schedule = await addSchedule(test.db, { name: 'every-minute', cron: '* * * * *', task: 'materialize', args: { featureSet: sets.embedding, partitions: 2 } });
    await test.db.sql.query(`UPDATE schedule SET created_at = now() - interval '10 minutes' WHERE id = $1`, [schedule.id]);
    const now = new Date();
    const first = await enqueueDueSchedules(test.db, boss, now);
    expect(first).toHaveLength(1);
    const occurrence = first[0]!.occurrence;
    expect(first[0]).toMatchObject({ schedule: 'every-minute', sent: true, jobId: occurrenceJobId(schedule.id, occurrence) });
    expect(now.getTime() - occurrence.getTime()).toBeLessThan(60_000);
    // Missed occurrences collapse into one job; the same tick again sends nothing.
    expect(await enqueueDueSchedules(test.db, boss, now)).toEqual([]);
    // A worker that crashed after sending but before recording the run re-sends the same job id: deduplicated.
    await test.db.sql.query('UPDATE schedule SET last_run_at = NULL WHERE id = $1', [schedule.id]);
    expect(await enqueueDueSchedules(test.db, boss, now)).toMatchObject([{ sent: false, jobId: first[0]!.jobId }]);
    await test.db.sql.query('UPDATE schedule SET enabled = false WHERE id = $1', [schedule.id]);

    const summary = await runWorker(deps, boss, { id: 'sched-worker', settings: DEFAULT_MATERIALIZE_SETTINGS, pollMs: 50, scheduleEveryMs: false, exitWhenIdle: true });
    expect(summary).toMatchObject({ jobs: 1, partitions: 2, entities: 120 });
    const [run] = await listRuns(test.db, { featureSet: sets.embedding });
    expect(run).toMatchObject({ status: 'succeeded', versionStatus: 'published', rowsDone: 120, workers: ['sched-worker'] });
    const latest = await resolveVersion(test.db, sets.embedding, 'latest');
    expect(await countRows(test.db, latest.id)).toEqual({ rows: 120, keys: 120 });
    const jobs = await boss.findJobs(QUEUES.materialize, { id: first[0]!.jobId });
    expect(jobs.map((job) => job.state)).toEqual(['completed']);
  });

  it('a queued materialize job of an unknown feature set fails the job, not the worker', async () => {
    const id = await boss.send(QUEUES.materialize, { featureSet: 'missing_set', mode: 'full' });
    const summary = await runWorker(deps, boss, { settings: DEFAULT_MATERIALIZE_SETTINGS, pollMs: 50, scheduleEveryMs: false, exitWhenIdle: true });
    expect(summary.jobs).toBe(1);
    const [job] = await boss.findJobs(QUEUES.materialize, { id: id! });
    expect(job).toMatchObject({ state: 'failed', output: { message: 'no feature set "missing_set"' } });
  });
});
