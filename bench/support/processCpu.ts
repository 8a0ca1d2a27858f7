/**
 * CPU time of processes by pid, from /proc/<pid>/stat (Linux): on a machine shared with other
 * work, latency says little about the server itself, while the CPU time it spent per request
 * does. Elsewhere (no /proc) every reading is null and the benchmark reports no CPU figures.
 */
import fs from 'node:fs';

/** USER_HZ: the unit of utime and stime; 100 on every Linux configuration in use. */
const TICKS_PER_SECOND = 100;

/** utime + stime of `pid` in ms, or null when it cannot be read (no /proc, process gone). */
export function processCpuMs(pid: number): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may contain spaces: fields count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / TICKS_PER_SECOND : null;
}

/** CPU ms of a changing set of processes (database backends come and go): a pid first seen at the end counts from 0. */
export class CpuMeter {
  readonly #start = new Map<number, number>();

  constructor(pids: readonly number[]) {
    for (const pid of pids) {
      const ms = processCpuMs(pid);
      if (ms !== null) this.#start.set(pid, ms);
    }
  }

  /** CPU ms spent since construction by `pids` (those read then and still alive, and new ones); null without /proc. */
  spentBy(pids: readonly number[]): number | null {
    let total = 0;
    let readable = false;
    for (const pid of pids) {
      const ms = processCpuMs(pid);
      if (ms === null) continue;
      readable = true;
      total += ms - (this.#start.get(pid) ?? 0);
    }
    return readable ? total : null;
  }
}
