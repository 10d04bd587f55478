import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REQUIRED_NODE_MAJOR, nodeVersionProblem } from '../../src/commands/node-version';
import { CLI, cleanEnv } from '../support/processes';

const ROOT = join(__dirname, '../..');

/** The system's Node when it is older than the one required (Debian 12 ships Node 20). */
function olderNode(): string | undefined {
  const candidate = '/usr/bin/node';
  if (!existsSync(candidate)) return undefined;
  const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
  return Number(version.replace(/^v/, '').split('.')[0]) < REQUIRED_NODE_MAJOR ? candidate : undefined;
}

const oldNode = olderNode();

describe('the Node version check of the command line', () => {
  it('B4: asks for the Node version that package.json engines names', () => {
    const { engines } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(engines.node).toBe(`>=${REQUIRED_NODE_MAJOR}`);
  });

  it('B4: an older Node gets one line naming the Node needed and how to run it; a new enough one nothing', () => {
    const problem = nodeVersionProblem('20.20.2', '/usr/bin/node');
    expect(problem).toBe(
      'inzage needs Node.js 24 or newer; /usr/bin/node is Node.js 20.20.2. Run it with `npx inzage …` ' +
        'in the project directory (npm installs Node.js 24 there), or install Node.js 24.',
    );
    expect(nodeVersionProblem('22.19.0', 'node')).toContain('is Node.js 22.19.0');
    expect(nodeVersionProblem('24.0.0', 'node')).toBeUndefined();
    expect(nodeVersionProblem('25.2.1', 'node')).toBeUndefined();
    expect(nodeVersionProblem(process.versions.node, process.execPath)).toBeUndefined();
  });

  (oldNode ? it : it.skip)(
    `B4: \`${oldNode ?? 'an older node'} dist/src/cli.js\` prints that line, no stack trace, and exits 1`,
    () => {
      for (const args of [['--help'], ['demo', '--port', '0']]) {
        const run = spawnSync(oldNode as string, [CLI, ...args], { encoding: 'utf8', env: cleanEnv() });
        expect(run.status).toBe(1);
        expect(run.stdout).toBe('');
        const lines = run.stderr.split('\n').filter((line) => line !== '');
        expect(lines).toEqual([
          expect.stringMatching(/^inzage needs Node\.js 24 or newer; .* is Node\.js 2\d\./),
        ]);
        expect(run.stderr).not.toMatch(/^\s+at /m);
        expect(run.stderr).not.toContain('WebSocket');
      }
    },
  );

  it('B4: the advice works: `npx inzage` in the project runs the command on the Node npm installed', () => {
    // npx finds the project's own bin; its `#!/usr/bin/env node` then finds node_modules/.bin/node, on
    // the PATH npx makes, not on the one `npm test` made for jest.
    const path = (process.env.PATH ?? '')
      .split(':')
      .filter((dir) => !dir.includes('node_modules'))
      .join(':');
    const run = spawnSync('npx', ['--no-install', 'inzage', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...cleanEnv(), PATH: path },
    });
    expect(run.stderr).not.toContain('inzage needs Node.js');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
