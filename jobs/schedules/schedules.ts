/**
 * Schedules: cron expressions stored in the `schedule` table, the one source of truth. Workers
 * read the table on every tick (enqueueDueSchedules): adding, changing or removing a row takes
 * effect on the next tick of every worker, with nothing to synchronize. pg-boss's own cron
 * scheduler is not used, so its schedule table cannot drift from ours.
 *
 * Arguments (`args`) by task:
 * - materialize: { featureSet, mode, modelVersion?, partitions? }, plus feature_set_id;
 * - train: { config }: the training configuration itself (read from --config when added), so a
 *   worker on another machine does not need the file.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import type { Database } from '../../store/db/Database.ts';
import type { Prisma } from '../../store/generated/prisma/client.ts';
import { getFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { TrainOnStoreConfigSchema } from '../../ml/store/trainOnStore.ts';
import { ScheduleError } from '../errors.ts';

export const MaterializeArgsSchema = z.strictObject({
  featureSet: z.string().min(1),
  mode: z.enum(['full', 'incremental']).default('full'),
  modelVersion: z.number().int().min(1).optional(),
  partitions: z.number().int().min(1).max(256).optional(),
});
export const TrainArgsSchema = z.strictObject({ config: z.record(z.string(), z.unknown()).default({}) });

export type ScheduleInput =
  | { readonly name: string; readonly cron: string; readonly timezone?: string; readonly task: 'materialize'; readonly args: z.input<typeof MaterializeArgsSchema>; readonly enabled?: boolean }
  | { readonly name: string; readonly cron: string; readonly timezone?: string; readonly task: 'train'; readonly args: z.input<typeof TrainArgsSchema>; readonly enabled?: boolean };

export interface StoredSchedule {
  readonly id: number;
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly task: 'materialize' | 'train';
  readonly featureSet: string | null;
  readonly args: Record<string, unknown>;
  readonly enabled: boolean;
  readonly lastRunAt: Date | null;
  readonly createdAt: Date;
  /** The next occurrence after now (or after the last run, if that is later). */
  readonly nextRunAt: Date;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Checks a cron expression and time zone, failing with what was expected. */
export function parseCron(cron: string, timezone: string, currentDate: Date = new Date()) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ScheduleError('BAD_USER_INPUT', `timezone: unknown time zone "${timezone}" (expected an IANA name such as UTC or Europe/Berlin)`);
  }
  try {
    return CronExpressionParser.parse(cron, { tz: timezone, currentDate, strict: false });
  } catch (error) {
    throw new ScheduleError('BAD_USER_INPUT', `cron: "${cron}" is not a cron expression (expected 5 or 6 fields, e.g. "*/5 * * * *"): ${(error as Error).message}`);
  }
}

export async function addSchedule(db: Database, input: ScheduleInput): Promise<StoredSchedule> {
  if (!NAME.test(input.name)) throw new ScheduleError('BAD_USER_INPUT', `name: expected letters, digits, _ . or - (at most 100), got "${input.name}"`);
  const timezone = input.timezone ?? 'UTC';
  parseCron(input.cron, timezone);
  let args: Record<string, unknown>;
  let featureSetId: number | null = null;
  if (input.task === 'materialize') {
    const parsed = MaterializeArgsSchema.safeParse(input.args);
    if (!parsed.success) throw new ScheduleError('BAD_USER_INPUT', `materialize arguments: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    featureSetId = (await getFeatureSet(db, parsed.data.featureSet)).id;
    args = parsed.data;
  } else if (input.task === 'train') {
    const parsed = TrainArgsSchema.safeParse(input.args);
    if (!parsed.success) throw new ScheduleError('BAD_USER_INPUT', `train arguments: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    const config = TrainOnStoreConfigSchema.safeParse(parsed.data.config);
    if (!config.success) throw new ScheduleError('BAD_USER_INPUT', `training config: ${config.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
    args = parsed.data;
  } else {
    throw new ScheduleError('BAD_USER_INPUT', `task: expected materialize or train, got "${String((input as { task: unknown }).task)}"`);
  }
  const existing = await db.prisma.schedule.findUnique({ where: { name: input.name } });
  if (existing) throw new ScheduleError('CONFLICT', `a schedule named "${input.name}" exists already: remove it first (synthstore schedule rm ${input.name})`);
  const created = await db.prisma.schedule.create({
    data: { name: input.name, cron: input.cron, timezone, task: input.task, featureSetId, args: args as Prisma.InputJsonValue, enabled: input.enabled ?? true },
    include: { featureSet: { select: { name: true } } },
  });
  return toStored(created);
}

export async function listSchedules(db: Database): Promise<StoredSchedule[]> {
  const rows = await db.prisma.schedule.findMany({ orderBy: { name: 'asc' }, include: { featureSet: { select: { name: true } } } });
  return rows.map(toStored);
}

/** Removes a schedule by name; throws NOT_FOUND when there is none. */
export async function removeSchedule(db: Database, name: string): Promise<void> {
  const { count } = await db.prisma.schedule.deleteMany({ where: { name } });
  if (count === 0) throw new ScheduleError('NOT_FOUND', `no schedule named "${name}"`);
}

type ScheduleRecord = Prisma.ScheduleGetPayload<{ include: { featureSet: { select: { name: true } } } }>;

function toStored(row: ScheduleRecord): StoredSchedule {
  const now = new Date();
  const from = row.lastRunAt && row.lastRunAt > now ? row.lastRunAt : now;
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    task: row.task,
    featureSet: row.featureSet?.name ?? null,
    args: row.args as Record<string, unknown>,
    enabled: row.enabled,
    lastRunAt: row.lastRunAt,
    createdAt: row.createdAt,
    nextRunAt: parseCron(row.cron, row.timezone, from).next().toDate(),
  };
}
