import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store';
import { CliProcess, freePort, runCli } from '../support/processes';

const OPENER = join(__dirname, '../support/open-pglite.cjs');
const lockFile = (dataDir: string): string => join(dataDir, 'inzage.lock');
const storeError = (code: string): unknown => expect.objectContaining({ name: 'StoreError', code });

/** Another process that opens the store on `dataDir` (test/support/open-pglite.cjs). */
class Opener {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  /** Its first line: `open <pid>`, or the refusal as JSON. */
  readonly firstLine: Promise<string>;
  private stderr = '';

  constructor(dataDir: string) {
    this.child = spawn(process.execPath, [OPENER, dataDir]);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.firstLine = new Promise((resolve, reject) => {
      let stdout = '';
      this.child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
      });
      void this.exited.then((code) => reject(new Error(`exited (${code}) without a line:\n${this.stderr}`)));
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  async refusal(): Promise<{ code: string; message: string }> {
    const line = await this.firstLine;
    if (line.startsWith('open')) throw new Error(`process ${this.pid} opened the store`);
    return JSON.parse(line) as { code: string; message: string };
  }

  /** Closes its store (by ending its stdin) and waits for it to exit. */
  async stop(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const gone = spawnSync(process.execPath, ['-e', '']);
  return gone.pid;
}

describe('PGlite data directory lock', () => {
  let root: string;
  let dataDir: string;
  const children: Opener[] = [];
  const stores: Store[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'inzage-lock-test-'));
    dataDir = join(root, 'data');
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.child.exitCode === null) child.child.kill('SIGKILL');
    await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
    await rm(root, { recursive: true, force: true });
  });

  const opener = (dir = dataDir): Opener => {
    const child = new Opener(dir);
    children.push(child);
    return child;
  };
  const open = async (dir = dataDir): Promise<Store> => {
    const store = await openStore({ driver: 'pglite', dataDir: dir });
    stores.push(store);
    return store;
  };

  it('B2: a second process opening the same PGlite data directory is refused, naming the holder', async () => {
    const holder = opener();
    expect(await holder.firstLine).toBe(`open ${holder.pid}`);

    const second = opener();
    const refusal = await second.refusal();
    expect(await second.exited).toBe(2);
    expect(refusal.code).toBe('ERR_STORE_LOCKED');
    expect(refusal.message).toContain(
      `the PGlite data directory ${dataDir} is in use by process ${holder.pid}`,
    );
    // The holder's command line, from /proc/<pid>/cmdline.
    expect(refusal.message).toContain(`${process.execPath} ${OPENER} ${dataDir}`);
    expect(refusal.message).toContain('Stop that process first');
    expect(refusal.message).toContain('DATABASE_URL');

    // This (jest's) process is refused the same way, and nothing was written to the holder's files.
    await expect(open()).rejects.toEqual(storeError('ERR_STORE_LOCKED'));
    expect(JSON.parse(readFileSync(lockFile(dataDir), 'utf8'))).toMatchObject({ pid: holder.pid });

    // Once the holder has closed its store, the directory is free again.
    expect(await holder.stop()).toBe(0);
    expect(existsSync(lockFile(dataDir))).toBe(false);
    const store = await open();
    expect(await store.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('B2: an `ecd import` on the data directory of a running `serve` is refused and says what to do', async () => {
    const config = join(root, 'inzage.yaml');
    writeFileSync(
      config,
      `server:\n  host: 127.0.0.1\n  port: ${await freePort()}\nupstream:\n  url: http://127.0.0.1:9/fhir\n` +
        `database:\n  pgliteDataDir: ${dataDir}\n` +
        `organisations:\n  - id: meerzicht\n    name: Zorgcentrum Meerzicht\n    preset: meerlanden\n`,
    );
    const serve = new CliProcess(['serve', '--config', config]);
    try {
      await serve.waitForOutput(/gateway listening/);
      const exportFile = join(root, 'export.json');
      writeFileSync(exportFile, '{}');
      const result = await runCli(['ecd', 'import', exportFile, '--config', config]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`is in use by process ${serve.child.pid} (`);
      expect(result.stderr).toContain(`cli.js serve --config ${config})`);
      expect(result.stderr).toContain('/ecd/sync');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      serve.kill('SIGTERM');
      await serve.exited;
    }
    expect(existsSync(lockFile(dataDir))).toBe(false);
  });

  it('B2: the same process opening the directory twice is refused too; after close() it opens again', async () => {
    const first = await open();
    const again = openStore({ driver: 'pglite', dataDir });
    await expect(again).rejects.toEqual(storeError('ERR_STORE_LOCKED'));
    await expect(again).rejects.toThrow('is already open in this process');
    // The refusal did not take the lock away from the first store.
    expect(JSON.parse(readFileSync(lockFile(dataDir), 'utf8'))).toMatchObject({ pid: process.pid });
    await first.close();
    expect(existsSync(lockFile(dataDir))).toBe(false);
    const reopened = await open();
    expect(await reopened.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('B2: a lock left behind by a process that was killed is taken over', async () => {
    const holder = opener();
    await holder.firstLine;
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(JSON.parse(readFileSync(lockFile(dataDir), 'utf8'))).toMatchObject({ pid: holder.pid });

    const store = await open();
    expect(await store.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(JSON.parse(readFileSync(lockFile(dataDir), 'utf8'))).toMatchObject({ pid: process.pid });
    // And another process is now refused in its turn, naming this one.
    const other = opener();
    expect((await other.refusal()).message).toContain(`is in use by process ${process.pid}`);
  });

  it('B2: a lock naming a live pid that has been reused since, or written before a reboot, is taken over', async () => {
    await mkdir(dataDir);
    // The parent of this process is alive, but did not start at tick 1 after boot, nor in another boot.
    const stale = [
      { pid: process.ppid, start: '1' },
      { pid: process.ppid, boot: 'an-earlier-boot' },
    ];
    for (const lock of stale) {
      writeFileSync(lockFile(dataDir), JSON.stringify(lock));
      const store = await open();
      expect(JSON.parse(readFileSync(lockFile(dataDir), 'utf8'))).toMatchObject({ pid: process.pid });
      await store.close();
      expect(existsSync(lockFile(dataDir))).toBe(false);
    }
  });

  it('B2: several processes taking over one stale lock at once: exactly one gets the directory', async () => {
    await mkdir(dataDir);
    writeFileSync(lockFile(dataDir), JSON.stringify({ pid: deadPid() }));
    const racers = [opener(), opener(), opener(), opener()];
    const lines = await Promise.all(racers.map((r) => r.firstLine));
    const winners = racers.filter((_, i) => lines[i]?.startsWith('open'));
    expect(winners).toHaveLength(1);
    const winner = winners[0] as Opener;
    for (const [i, line] of lines.entries()) {
      if (racers[i] === winner) continue;
      const refusal = JSON.parse(line) as { code: string; message: string };
      expect(refusal.code).toBe('ERR_STORE_LOCKED');
      expect(refusal.message).toContain(`process ${winner.pid}`);
    }
    expect(JSON.parse(readFileSync(lockFile(dataDir), 'utf8'))).toMatchObject({ pid: winner.pid });
    expect(existsSync(`${lockFile(dataDir)}.takeover`)).toBe(false);
    expect(await winner.stop()).toBe(0);
  });

  it('B2: a lock file that names no process is not taken over, and the message says what to check', async () => {
    await mkdir(dataDir);
    writeFileSync(lockFile(dataDir), '');
    await expect(open()).rejects.toThrow(
      `has a lock file ${lockFile(dataDir)} that names no process. If no process uses the directory, delete`,
    );
  });

  it('B2: a directory started from the pristine snapshot (which may carry a lock file) is locked by its opener', async () => {
    // The second fresh database of a process is dumped as the snapshot; from the third on, it is loaded.
    const dirs = ['one', 'two', 'three'].map((name) => join(root, name));
    for (const dir of dirs.slice(0, 2)) await (await open(dir)).close();
    const store = await open(dirs[2]);
    const other = opener(dirs[2]);
    expect((await other.refusal()).message).toContain(`is in use by process ${process.pid}`);
    await store.close();
    expect(existsSync(lockFile(dirs[2] as string))).toBe(false);
    const after = opener(dirs[2]);
    expect(await after.firstLine).toBe(`open ${after.pid}`);
    expect(await after.stop()).toBe(0);
  }, 120_000);

  it('B2: in-memory stores take no lock: several are open at once', async () => {
    const a = await openStore({ driver: 'pglite' });
    stores.push(a);
    const b = await openStore({ driver: 'pglite' });
    stores.push(b);
    expect(await a.query('SELECT 1 AS one')).toEqual(await b.query('SELECT 1 AS one'));
  });
});
