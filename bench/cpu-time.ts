/**
 * Where the CPU goes during a benchmark run, read from Linux's /proc: the server thread of this process, a local
 * database server, and the whole machine (the rest is other jobs sharing it). Elsewhere every reading is undefined
 * and the bench prints `-`.
 */
import fs from 'node:fs';

/** Kernel clock ticks per second (`getconf CLK_TCK`): 100 on every Linux the bench runs on. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a `/proc/.../stat` file, in microseconds; with `reapedChildren`, also cutime + cstime. */
function statMicros(file: string, reapedChildren = false): number | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (reapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time of this process's main thread only: where both HTTP servers run. It leaves out the load generator's worker
 * thread, the driver's and libuv's threads and the garbage collector's helpers, which `process.cpuUsage()` counts.
 */
export function mainThreadMicros(): number | undefined {
  return statMicros(`/proc/self/task/${process.pid}/stat`);
}

/**
 * CPU time of a process (all its threads); with `reapedChildren`, plus that of its children that have exited (what
 * PostgreSQL's postmaster holds for the backends of closed connections).
 */
export function processMicros(pid: number, reapedChildren = false): number | undefined {
  return statMicros(`/proc/${pid}/stat`, reapedChildren);
}

/** Busy and total CPU time of the whole machine (all cores), in microseconds. */
export function machineMicros(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
    const toMicros = (ticks: number): number => (ticks * 1e6) / TICKS_PER_SECOND;
    return { busy: toMicros(busy), total: toMicros(busy + (idle ?? 0) + (iowait ?? 0)) };
  } catch {
    return undefined;
  }
}

/**
 * The process listening on a local TCP port (the database server of MONGO_URL when it runs on this machine), or
 * undefined when none is found or /proc does not tell (another machine, another user's process).
 */
export function pidListeningOn(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const columns = row.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; column 9 is the socket's inode.
      if (columns[1]?.endsWith(`:${hexPort}`) && columns[3] === '0A' && columns[9]) inodes.add(columns[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match && inodes.has(match[1] as string)) return Number(pid);
      } catch {
        // The fd was closed while we looked.
      }
    }
  }
  return undefined;
}
