/**
 * One scheduler tick, run by every worker: for each enabled schedule whose latest occurrence at
 * or before `now` is after its last run (or creation), sends one job for that occurrence and
 * records it as the last run. Missed occurrences (no worker running) collapse into one job.
 *
 * Exactly one job per occurrence, with any number of workers and crashes: the job id is derived
 * from (schedule, occurrence), and pg-boss inserts a job id once; last_run_at only moves forward
 * (compare-and-set), and it is set after the send, so a crash in between re-sends the same id.
 */
import { createHash } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import type { Database } from '../../store/db/Database.ts';
import { QUEUES } from '../queue/openJobQueue.ts';
import { parseCron } from './schedules.ts';

export interface EnqueuedOccurrence {
  readonly schedule: string;
  readonly occurrence: Date;
  readonly jobId: string;
  /** False when another worker had sent this occurrence's job already. */
  readonly sent: boolean;
}

export async function enqueueDueSchedules(db: Database, boss: PgBoss, now: Date = new Date()): Promise<EnqueuedOccurrence[]> {
  const schedules = await db.prisma.schedule.findMany({ where: { enabled: true }, orderBy: { id: 'asc' } });
  const enqueued: EnqueuedOccurrence[] = [];
  for (const schedule of schedules) {
    const since = schedule.lastRunAt ?? schedule.createdAt;
    let occurrence: Date;
    try {
      occurrence = parseCron(schedule.cron, schedule.timezone, now).prev().toDate();
    } catch {
      continue; // A row edited by hand into an invalid expression: `schedule list` shows it.
    }
    if (occurrence <= since) continue;
    const jobId = occurrenceJobId(schedule.id, occurrence);
    const queue = schedule.task === 'train' ? QUEUES.train : QUEUES.materialize;
    const data = { ...(schedule.args as Record<string, unknown>), schedule: schedule.name, occurrence: occurrence.toISOString() };
    const sent = await boss.send(queue, data, { id: jobId });
    await db.prisma.schedule.updateMany({ where: { id: schedule.id, OR: [{ lastRunAt: null }, { lastRunAt: { lt: occurrence } }] }, data: { lastRunAt: occurrence } });
    enqueued.push({ schedule: schedule.name, occurrence, jobId, sent: sent !== null });
  }
  return enqueued;
}

/** A UUID (version-5 layout) from the schedule and the occurrence: the same on every worker. */
export function occurrenceJobId(scheduleId: number, occurrence: Date): string {
  const hex = createHash('sha1').update(`synthstore-schedule:${scheduleId}:${occurrence.toISOString()}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
