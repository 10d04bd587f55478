// The processes a test started, and whether they are gone, read from Linux's /proc: a test of how
// processes stop has to see the grandchildren too, which Node's child_process does not show.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot, so that a reused pid is not taken for the same process. */
  start: string;
  state: string;
  command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2, the command name, is in parentheses and may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    // Gone between the two reads.
  }
  return { pid, ppid: Number(fields[1]), start: fields[19] ?? '', state: fields[0] ?? '', command };
}

/** `root` and all its descendants, as they are right now. */
export function processTree(root: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
  const tree = all.filter((p) => p.pid === root);
  for (let i = 0; i < tree.length; i += 1) {
    const parent = tree[i] as ProcessInfo;
    tree.push(...all.filter((p) => p.ppid === parent.pid));
  }
  return tree;
}

/** Whether that very process still runs (a zombie has finished; it only waits to be reaped). */
export function isRunning(process: ProcessInfo): boolean {
  const now = readProcess(process.pid);
  return now !== undefined && now.start === process.start && now.state !== 'Z';
}

/** The processes of `tree` still running after up to `timeoutMs`. */
export async function stillRunning(tree: ProcessInfo[], timeoutMs = 10_000): Promise<ProcessInfo[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const running = tree.filter(isRunning);
    if (running.length === 0 || Date.now() > until) return running;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether a server could listen on `port` of 127.0.0.1 now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
