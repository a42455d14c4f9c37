// CPU time and memory of running processes, read from Linux's /proc.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MICROSECONDS_PER_SECOND = 1_000_000;
const BYTES_PER_KIB = 1_024;
/** utime and stime are fields 14 and 15 of /proc/<pid>/stat, counted from 1. */
const UTIME_FIELD = 14;
/** Fields after the command name, which is in parentheses and may hold spaces. */
const FIELDS_BEFORE_STATE = 2;

/** Clock ticks per second of utime and stime (USER_HZ). */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** User plus system CPU time of the processes, in microseconds; a vanished process counts 0. */
export function cpuMicros(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readOrEmpty(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const first = UTIME_FIELD - FIELDS_BEFORE_STATE - 1;
    ticks += Number(fields[first] ?? 0) + Number(fields[first + 1] ?? 0);
  }
  return (ticks / TICKS_PER_SECOND) * MICROSECONDS_PER_SECOND;
}

export interface Memory {
  /** Resident set now. */
  readonly rssBytes: number;
  /** Peak resident set since the process started (VmHWM). */
  readonly peakRssBytes: number;
}

/** Resident memory summed over the processes. */
export function memory(pids: readonly number[]): Memory {
  let rssBytes = 0;
  let peakRssBytes = 0;
  for (const pid of pids) {
    const status = readOrEmpty(`/proc/${pid}/status`);
    rssBytes += kibField(status, 'VmRSS') * BYTES_PER_KIB;
    peakRssBytes += kibField(status, 'VmHWM') * BYTES_PER_KIB;
  }
  return { rssBytes, peakRssBytes };
}

/** The direct children of a process (nginx's workers under its master). */
export function childPids(pid: number): number[] {
  return readOrEmpty(`/proc/${pid}/task/${pid}/children`)
    .split(' ')
    .filter((text) => text !== '')
    .map(Number);
}

function kibField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
