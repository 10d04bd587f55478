import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AuditEvent } from '@medplum/fhirtypes';
import { AuditTrail, findAuditRecords } from '../../src/audit';
import { runAuditExport, runAuditPrune, runAuditVerify } from '../../src/commands';
import { loadConfigFile, type GatewayConfig } from '../../src/config';
import { migrate, openStore, type Store } from '../../src/store';
import { entry, idAt, writeRecords } from '../audit/chain-fixtures';
import { runCli } from '../support/processes';

/**
 * `inzage audit verify`, `prune` and `export`: the compiled command on a tampered database (the exit
 * code a reviewer's script reads, the first broken link in words), and prune and export in process.
 */
function databaseConfig(name: string): { path: string; dataDir: string; config: GatewayConfig } {
  const dir = mkdtempSync(join(tmpdir(), `inzage-audit-${name}-`));
  const dataDir = join(dir, 'data');
  const path = join(dir, 'inzage.yaml');
  writeFileSync(
    path,
    `server:\n  port: 8080\nupstream:\n  url: http://127.0.0.1:9/fhir\ndatabase:\n  pgliteDataDir: ${dataDir}\n` +
      `organisations:\n  - id: meerzicht\n    name: Zorgcentrum Meerzicht\n    preset: meerlanden\n`,
  );
  return { path, dataDir, config: loadConfigFile(path, {}) };
}

async function withStore<T>(dataDir: string, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ driver: 'pglite', dataDir });
  try {
    await migrate(store);
    return await use(store);
  } finally {
    await store.close();
  }
}

describe('inzage audit verify (the compiled command)', () => {
  const db = databaseConfig('verify');
  const key = randomBytes(32).toString('hex');

  it('AUDIT-CLI-1: exits 0 on an intact chain and prints the head; 1 on a tampered one, naming the first broken link', async () => {
    await withStore(db.dataDir, async (store) => {
      await writeRecords(store, 5, { key: Buffer.from(key, 'hex') });
    });
    const intact = await runCli(['audit', 'verify', '--config', db.path], { INZAGE_AUDIT_KEY: key });
    expect(intact.stderr).toBe('');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^audit chain {7}intact$/m);
    expect(intact.stdout).toContain('records checked   5 (seq 1 to 5; 5 keyed, 0 unkeyed)');
    const head = /^head {14}(\d+:[0-9a-f]{64})$/m.exec(intact.stdout)?.[1];
    expect(head).toMatch(/^5:/);

    const victim = await withStore(db.dataDir, async (store) => {
      await store.query(`UPDATE audit_event SET entry = jsonb_set(entry, '{status}', '403') WHERE seq = 3`);
      return idAt(store, 3);
    });
    const broken = await runCli(['audit', 'verify', '--config', db.path, '--anchor', head!], {
      INZAGE_AUDIT_KEY: key,
    });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^audit chain {7}BROKEN$/m);
    expect(broken.stdout).toContain(`first broken link seq 3, AuditEvent ${victim}: changed`);
    expect(broken.stdout).toContain('its content is not what was hashed');

    const noKey = await runCli(['audit', 'verify', '--config', db.path]);
    expect(noKey.code).toBe(3);
    expect(noKey.stdout).toContain('key-missing');
    const badKey = await runCli(['audit', 'verify', '--config', db.path], { INZAGE_AUDIT_KEY: 'short' });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('INZAGE_AUDIT_KEY must be at least 32 bytes');
  });

  it('AUDIT-CLI-2: every audit command has its help', async () => {
    for (const command of ['verify', 'prune', 'export']) {
      const help = await runCli(['audit', command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: inzage audit ${command}`);
      expect(help.stdout).toContain('Exits 0');
    }
  });
});

describe('inzage audit prune and export (in process)', () => {
  const db = databaseConfig('prune');
  const now = () => new Date('2031-06-15T10:00:00+02:00');

  beforeAll(async () => {
    await withStore(db.dataDir, async (store) => {
      let current = new Date('2025-03-01T09:00:00Z');
      const trail = new AuditTrail(store, { now: () => current });
      await trail.record(entry(0));
      await trail.record(entry(1));
      current = new Date('2026-11-20T09:00:00Z');
      await trail.record(entry(2, 'meerzicht-mz-c002'));
      current = new Date('2026-11-30T23:30:00Z'); // 1 December 00:30 in Amsterdam
      await trail.record(entry(3, 'meerzicht-mz-c002'));
      await trail.close();
    });
  });

  it('AUDIT-CLI-3: prune shows what it would delete, deletes only with --apply, and verify stays intact', async () => {
    const dry = await runAuditPrune(db.config, { now }, {});
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('would delete     2 records, seq 1 to 2');
    expect(dry.stdout).toContain('run again with --apply');
    await withStore(db.dataDir, async (store) => expect(await findAuditRecords(store, {})).toHaveLength(4));

    const applied = await runAuditPrune(db.config, { now, apply: true }, {});
    expect(applied.exitCode).toBe(0);
    expect(applied.stdout).toContain('deleted          2 records, seq 1 to 2');
    expect(applied.stdout).toMatch(/recorded as {6}AuditEvent [0-9a-f-]{36} \(seq 5\)/);
    const verified = await runAuditVerify(db.config, {}, {});
    expect(verified).toMatchObject({ exitCode: 0, report: { ok: true, checked: 3, startSeq: 2 } });
    expect(verified.stdout).toContain('chain starts      after seq 2');
    expect((await runAuditPrune(db.config, { now, apply: true }, {})).stdout).toContain(
      'deleted          nothing',
    );
  });

  it('AUDIT-CLI-4: export writes NDJSON for an Amsterdam date range, to a file or a stream', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'inzage-export-')), 'audit.ndjson');
    // November in Amsterdam: the record of 1 December 00:30 there (30 November 23:30 UTC) is not in it.
    const lines = await runAuditExport(
      db.config,
      { from: '2026-11-01', to: '2026-12-01', patient: 'Patient/meerzicht-mz-c002', out },
      new PassThrough(),
    );
    expect(lines).toBe(1);
    const [event] = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(event).toMatchObject({ resourceType: 'AuditEvent', recorded: '2026-11-20T09:00:00.000Z' });
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    expect(
      await runAuditExport(db.config, { from: '2026-11-01', to: '2026-12-01T01:00:00+01:00' }, stream),
    ).toBe(2);
    expect(text.trimEnd().split('\n')).toHaveLength(2);
    await expect(runAuditExport(db.config, { from: '2026-12-01', to: '2026-11-01' }, stream)).rejects.toThrow(
      '--to must be later than --from',
    );
    await expect(runAuditExport(db.config, { from: 'yesterday', to: '2026-11-01' }, stream)).rejects.toThrow(
      '--from: not a moment',
    );
  });
});
