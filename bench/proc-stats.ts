/**
 * Peak memory and CPU time of a child process, read from Linux's /proc: VmHWM is the resident-set
 * high-water mark, and utime + stime (fields 14 and 15 of /proc/<pid>/stat) are its CPU time in
 * clock ticks. Read them before the process exits; afterwards they are gone.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100;

export interface ProcStats {
  peakRssMiB: number;
  cpuS: number;
}

export function readProcStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwmKiB = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return { peakRssMiB: Math.round(hwmKiB / 1024), cpuS: readCpuS(pid) };
}

export function readCpuS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** CPU seconds of this process (the bench itself, with its in-process sandbox). */
export function ownCpuS(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
