import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAuditRecords, verifyChain } from '../../src/audit';
import { runEcdImport } from '../../src/commands';
import { resolveConfig, type GatewayConfig } from '../../src/config';
import { EcdImportError } from '../../src/ecd';
import { openStore } from '../../src/store';
import { asJson, smallExport } from './fixtures';

/** `inzage ecd import` records every run in the audit trail, as whoever ran it. */
describe('inzage ecd import in the audit trail', () => {
  let dir: string;
  let config: GatewayConfig;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inzage-ecd-audit-'));
    config = resolveConfig(
      {
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        database: { pgliteDataDir: join(dir, 'data') },
        organisations: [{ id: 'meerzicht', name: 'Zorgcentrum Meerzicht', preset: 'meerlanden' }],
      },
      'test',
      {},
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const progress = { isTTY: false } as NodeJS.WriteStream;

  it('AUDIT-CHANGE-10: an import from a file is recorded with the user, the file and the counts, and the client whose Consents changed gets a record; a refused one is recorded too', async () => {
    const file = join(dir, 'export.json');
    writeFileSync(file, asJson(smallExport()));
    const result = await runEcdImport(config, { path: file, dryRun: false, allowEndingAll: false, progress });
    const bad = smallExport();
    bad.relations[0]!.clientId = 'nobody';
    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, asJson(bad));
    await expect(
      runEcdImport(config, { path: badFile, dryRun: false, allowEndingAll: false, progress }),
    ).rejects.toBeInstanceOf(EcdImportError);

    const store = await openStore({ driver: 'pglite', dataDir: join(dir, 'data') });
    try {
      const syncs = await findAuditRecords(store, { kinds: ['ecd-sync'] });
      expect(syncs.map((r) => r.entry.outcome)).toEqual(['success', 'refused']);
      expect(syncs[0]!.entry).toMatchObject({
        action: 'E',
        interaction: 'file',
        query: 'ecd import',
        actor: { role: 'ecd-sync', onBehalfOf: 'Organization/meerzicht' },
        detail: {
          organisation: 'meerzicht',
          source: 'cli:export.json',
          importId: result.importId,
          'Consent.created': 2,
        },
      });
      expect(syncs[0]!.entry.actor?.account).toMatch(/^cli:/);
      expect(syncs[0]!.entry).not.toHaveProperty('status');
      expect(syncs[1]!.entry).toMatchObject({
        outcomeText: 'ERR_ECD_INVALID',
        detail: { source: 'cli:bad.json', dryRun: false },
      });
      const [change] = await findAuditRecords(store, { kinds: ['consent-change'] });
      expect(change!.entry).toMatchObject({ patient: 'Patient/meerzicht-c1', detail: { granted: 2 } });
      expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 3 });
    } finally {
      await store.close();
    }
  });

  it('AUDIT-CHANGE-14: without the audit key, an import into a keyed trail is refused before anything is read', async () => {
    const keyed = {
      ...config,
      database: { ...config.database, dataDir: join(dir, 'keyed') },
    } as GatewayConfig;
    const file = join(dir, 'export.json');
    const saved = process.env.INZAGE_AUDIT_KEY;
    process.env.INZAGE_AUDIT_KEY = 'a'.repeat(64);
    try {
      await runEcdImport(keyed, { path: file, dryRun: true, allowEndingAll: false, progress });
      delete process.env.INZAGE_AUDIT_KEY;
      await expect(
        runEcdImport(keyed, { path: file, dryRun: false, allowEndingAll: false, progress }),
      ).rejects.toThrow(/INZAGE_AUDIT_KEY is not set, but the gateway's audit trail is keyed/);
    } finally {
      if (saved === undefined) delete process.env.INZAGE_AUDIT_KEY;
      else process.env.INZAGE_AUDIT_KEY = saved;
    }
    const store = await openStore({ driver: 'pglite', dataDir: join(dir, 'keyed') });
    try {
      expect((await findAuditRecords(store, {})).map((r) => r.alg)).toEqual(['hmac-sha256']);
    } finally {
      await store.close();
    }
  });
});
