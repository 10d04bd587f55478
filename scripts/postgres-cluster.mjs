// A throwaway PostgreSQL cluster for the test run: the tests need a real server, and CI machines only
// have the Debian binaries, never a running service we may rely on.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The newest installed server version that has both initdb and pg_ctl, or undefined. */
export function findPostgresBinaries() {
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const versions = readdirSync(DEBIAN_ROOT)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(DEBIAN_ROOT, version, 'bin');
    const initdb = join(bin, 'initdb');
    const pgCtl = join(bin, 'pg_ctl');
    if (existsSync(initdb) && existsSync(pgCtl)) return { version, initdb, pgCtl };
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

// pg_ctl hands the -o string to /bin/sh, so paths inside it need shell quoting.
function shellQuote(value) {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

/**
 * Starts a private cluster on 127.0.0.1 (trust authentication, user postgres) in a temp directory.
 * Returns `{ url, version, stop }`, or undefined when no PostgreSQL binaries are installed.
 * Throws when binaries exist but the cluster does not come up: that is a broken machine, not a skip.
 */
export async function startTestCluster() {
  const binaries = findPostgresBinaries();
  if (!binaries) return undefined;

  // PostgreSQL refuses to run as root, so as root everything runs as the postgres system user.
  const asRoot = process.getuid?.() === 0;
  const exec = (file, args) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args);

  const dir = mkdtempSync(join(tmpdir(), 'inzage-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  let started = false;
  let stopping;

  const stop = () => {
    stopping ??= (async () => {
      try {
        if (started) await exec(binaries.pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    return stopping;
  };

  try {
    if (asRoot) await run('chown', ['-R', 'postgres:postgres', dir]);
    await exec(binaries.initdb, [
      '-D',
      dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const port = await freePort();
    // Durability is pointless for a cluster that is deleted afterwards; turning it off speeds up tests.
    const serverOptions = [
      `-p ${port}`,
      `-k ${shellQuote(dir)}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=200',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    started = true;
    await exec(binaries.pgCtl, ['-D', dataDir, '-o', serverOptions, '-l', logFile, '-w', 'start']);
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, version: binaries.version, stop };
  } catch (error) {
    const log = tail(logFile);
    await stop().catch(() => undefined);
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`could not start a PostgreSQL ${binaries.version} test cluster: ${detail}\n${log}`, {
      cause: error,
    });
  }
}
