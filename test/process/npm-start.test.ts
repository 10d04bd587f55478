import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cleanEnv } from '../support/processes';
import { portIsFree, processTree, stillRunning, type ProcessInfo } from '../support/process-tree';

const ROOT = join(__dirname, '../..');
const DEMO_ARGS = ['--port', '0', '--sandbox-port', '0'];

/** A command run in a process group of its own, as a terminal runs a command line. */
class Started {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once nothing holds its output open any more, its descendants included. */
  readonly closed: Promise<void>;
  output = '';

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv()) {
    this.child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    this.closed = new Promise((resolve) => this.child.on('close', () => resolve()));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Waits for the demo's banner, and returns the gateway's and the sandbox's ports from it. */
  async ready(timeoutMs = 90_000): Promise<number[]> {
    const until = Date.now() + timeoutMs;
    while (!this.output.includes('Stop with Ctrl-C')) {
      if (this.child.exitCode !== null || Date.now() > until)
        throw new Error(`the demo did not come up:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return ['Gateway', 'Sandbox upstream'].map((label) => {
      const match = new RegExp(`${label} +http://127\\.0\\.0\\.1:(\\d+)`).exec(this.output);
      if (!match) throw new Error(`no ${label} address in the banner:\n${this.output}`);
      return Number(match[1]);
    });
  }

  /** Whatever of its process group is still there, so that a failing test leaves nothing behind. */
  killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // The group is empty.
    }
  }
}

describe('stopping the demo started through npm', () => {
  const started: Started[] = [];
  const dirs: string[] = [];
  const start = (command: string, args: string[], env?: NodeJS.ProcessEnv): Started => {
    const s = new Started(command, args, env);
    started.push(s);
    return s;
  };

  afterEach(() => {
    for (const s of started.splice(0)) s.killGroup();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** Everything started, the demo's node process among it; and both ports answer. */
  async function runningTree(s: Started, ports: number[]): Promise<ProcessInfo[]> {
    const tree = processTree(s.pid);
    expect(tree.some((p) => p.command.includes('cli.js demo'))).toBe(true);
    const health = await fetch(`http://127.0.0.1:${ports[0]}/healthz`);
    expect(health.status).toBe(200);
    expect(await Promise.all(ports.map(portIsFree))).toEqual([false, false]);
    return tree;
  }

  async function expectAllGone(tree: ProcessInfo[], ports: number[]): Promise<void> {
    const left = await stillRunning(tree);
    expect(left.map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    expect(await Promise.all(ports.map(portIsFree))).toEqual([true, true]);
  }

  it('B3: SIGTERM to the npm process of `npm start` stops the gateway and the sandbox, nothing left listening', async () => {
    const npm = start('npm', ['start', '--', ...DEMO_ARGS, '--in-memory']);
    const ports = await npm.ready();
    const tree = await runningTree(npm, ports);

    process.kill(npm.pid, 'SIGTERM');
    expect(await npm.exited).toEqual({ code: 0, signal: null });
    await expectAllGone(tree, ports);
    await npm.closed;
    expect(npm.output).toContain('"signal":"SIGTERM","msg":"signal received: stopping"');
    expect(npm.output).toContain('"msg":"stopped"');
  }, 120_000);

  it('B3: Ctrl-C (SIGINT to the whole group) stops it once, cleanly: the database closed, its lock released', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'inzage-npm-start-'));
    dirs.push(dataDir);
    const npm = start('npm', ['start', '--', ...DEMO_ARGS, '--data-dir', dataDir]);
    const ports = await npm.ready();
    const tree = await runningTree(npm, ports);
    expect(existsSync(join(dataDir, 'inzage.lock'))).toBe(true);

    // The terminal signals every process of the group, and npm passes its copy on: node gets two.
    process.kill(-npm.pid, 'SIGINT');
    expect((await npm.exited).code).toBe(0);
    await expectAllGone(tree, ports);
    await npm.closed;
    expect(npm.output).not.toContain('second signal');
    expect(npm.output).toContain('"msg":"stopped"');
    expect(existsSync(join(dataDir, 'inzage.lock'))).toBe(false);
  }, 120_000);

  it('B3: when a wrapper that started it dies of SIGTERM without passing it on, the demo stops by itself', async () => {
    // A shell does not pass signals on to the command it waits for (`; true` keeps it from exec'ing).
    const line = `"${process.execPath}" "${CLI}" demo ${DEMO_ARGS.join(' ')} --in-memory; true`;
    const shell = start('sh', ['-c', line], { ...cleanEnv(), npm_lifecycle_event: 'start' });
    const ports = await shell.ready();
    const tree = await runningTree(shell, ports);

    process.kill(shell.pid, 'SIGTERM');
    expect((await shell.exited).signal).toBe('SIGTERM');
    await expectAllGone(tree, ports);
    await shell.closed;
    expect(shell.output).toContain('the process that started this one has exited: stopping');
  }, 120_000);
});
