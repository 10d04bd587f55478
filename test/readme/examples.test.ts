import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, freePort } from '../support/processes';

/**
 * B9: the README's examples run as written against the demo. Every `sh` block in the README carries a
 * marker saying when it runs (`start`, `running`, `stopped`, or `quick-start`, which CI itself runs);
 * this test starts the demo with the `start` block, runs the `running` blocks against it, stops it,
 * and runs the `stopped` blocks. Only the ports and the data directory are changed in each command,
 * so that the test needs no fixed port and leaves the repository alone: the demo's ports 8080
 * (gateway) and 8082 (portal apps) and its data directory `.inzage/demo`. A trailing `# exits N`
 * states the exit code a command must end with (else 0).
 */
const ROOT = join(__dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

type Moment = 'start' | 'running' | 'stopped' | 'quick-start';

interface Example {
  moment: Moment;
  /** One shell command per entry, continuation lines joined. */
  commands: string[];
  line: number;
}

function examples(): Example[] {
  const found: Example[] = [];
  const lines = README.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue;
    const marker = /^<!-- example: (start|running|stopped|quick-start)\b/.exec(lines[i - 2] ?? '');
    if (!marker) throw new Error(`README.md line ${i + 1}: an sh example without an example marker`);
    const body: string[] = [];
    for (i += 1; lines[i] !== '```'; i++) body.push(lines[i]!);
    const commands: string[] = [];
    let current = '';
    for (const text of body) {
      if (current === '' && /^\s*#/.test(text)) continue;
      if (text.endsWith('\\')) current += `${text.slice(0, -1)} `;
      else {
        commands.push(current + text);
        current = '';
      }
    }
    found.push({ moment: marker[1] as Moment, commands, line: i + 1 });
  }
  return found;
}

function expectedExit(command: string): number {
  const m = /#\s*exits (\d+)\s*$/.exec(command);
  return m ? Number(m[1]) : 0;
}

describe('B9: the README examples run as written on the demo', () => {
  const all = examples();
  const work = mkdtempSync(join(tmpdir(), 'inzage-readme-'));
  let port = 0;
  let appPort = 0;
  let env: NodeJS.ProcessEnv = {};
  const adapt = (command: string) =>
    command
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)
      .replaceAll('127.0.0.1:8082', `127.0.0.1:${appPort}`)
      .replaceAll('.inzage/demo', join(work, 'demo'));

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Runs one command line in a shell from the repository, as a reader would. */
  function run(command: string, exported: NodeJS.ProcessEnv): { status: number | null; out: string } {
    const done = spawnSync('sh', ['-c', adapt(command)], {
      cwd: ROOT,
      env: { ...env, ...exported },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: done.status, out: `${done.stdout}${done.stderr}` };
  }

  /** Runs a block: `export NAME=value` lines set the environment of the commands after them. */
  function runBlock(example: Example): void {
    const exported: NodeJS.ProcessEnv = {};
    for (const command of example.commands) {
      const assignment = /^export ([A-Z_][A-Z0-9_]*)=(\S+)/.exec(command);
      if (assignment) {
        exported[assignment[1]!] = assignment[2]!;
        continue;
      }
      const { status, out } = run(command, exported);
      expect({ command, status }).toEqual({ command, status: expectedExit(command) });
      if (command.trimStart().startsWith('curl')) expect(() => JSON.parse(out)).not.toThrow();
    }
  }

  it('B9: every sh example is marked, and the demo examples are there', () => {
    const moments = all.map((e) => e.moment);
    expect(moments.filter((m) => m === 'start')).toHaveLength(1);
    expect(moments).toContain('running');
    expect(moments).toContain('stopped');
  });

  it('B9: started as the README says, the running and then the stopped examples succeed', async () => {
    const start = all.find((e) => e.moment === 'start')!;
    expect(start.commands).toHaveLength(1);
    const [assignments, npmStart] = /^((?:[A-Z_][A-Z0-9_]*=\S+ )*)(npm start)$/
      .exec(start.commands[0]!)!
      .slice(1);
    expect(npmStart).toBe('npm start');
    env = { ...cleanEnv() };
    for (const name of Object.keys(env))
      if (name.startsWith('INZAGE_') || name === 'DATABASE_URL') delete env[name];
    port = await freePort();
    appPort = await freePort();
    const demoEnv: NodeJS.ProcessEnv = { ...env };
    for (const pair of assignments!.trim().split(/\s+/).filter(Boolean)) {
      const [name, value] = pair.split('=') as [string, string];
      demoEnv[name] = value;
    }
    const demo = spawn(
      'npm',
      [
        'start',
        '--',
        '--port',
        String(port),
        '--sandbox-port',
        String(await freePort()),
        '--app-port',
        String(appPort),
        '--data-dir',
        join(work, 'demo'),
      ],
      { cwd: ROOT, env: demoEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    demo.stdout.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => demo.on('exit', () => resolve()));
    try {
      const until = Date.now() + 120_000;
      while (!output.includes('Stop with Ctrl-C')) {
        if (demo.exitCode !== null || Date.now() > until)
          throw new Error(`the demo did not come up:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      for (const example of all.filter((e) => e.moment === 'running')) runBlock(example);
    } finally {
      demo.kill('SIGTERM');
      await exited;
    }
    for (const example of all.filter((e) => e.moment === 'stopped')) runBlock(example);
  }, 600_000);
});
