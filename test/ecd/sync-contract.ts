import type { Consent, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EcdImportError,
  importEcdExport,
  readEcdExport,
  readEcdJsonStream,
  type EcdExport,
  type ImportOptions,
  type ImportResult,
} from '../../src/ecd';
import { GatewayError } from '../../src/errors';
import { BULK_CHANGE_CHANNEL, resourceHistory } from '../../src/resources';
import type { Store } from '../../src/store';
import { useMigratedStore } from '../support/migrated-store';
import { asJson, lineOf, ORGANISATIONS, smallExport } from './fixtures';

const NOW = new Date('2026-11-23T10:00:00+01:00');

/** The same sync tests, run on every store driver. */
export function describeSyncContract(
  name: string,
  open: () => Promise<Store>,
  dispose: (store: Store) => Promise<void>,
): void {
  describe(`ECD sync on ${name}`, () => {
    let store: Store;
    useMigratedStore(open, dispose, (opened) => (store = opened));

    function run(exp: EcdExport | string, options: Partial<ImportOptions> = {}): Promise<ImportResult> {
      const text = typeof exp === 'string' ? exp : asJson(exp);
      return importEcdExport(store, readEcdJsonStream([text], 'export.json'), {
        organisations: ORGANISATIONS,
        source: 'test',
        now: NOW,
        ...options,
      });
    }

    async function failure(
      exp: EcdExport | string,
      options: Partial<ImportOptions> = {},
    ): Promise<EcdImportError> {
      try {
        await run(exp, options);
      } catch (err) {
        if (err instanceof EcdImportError) return err;
        throw err;
      }
      throw new Error('expected the import to fail');
    }

    async function resource<T>(type: string, id: string): Promise<T & { meta: { versionId: string } }> {
      const rows = await store.query<{ content: T & { meta: { versionId: string } } }>(
        'SELECT content FROM fhir_resource WHERE resource_type = $1 AND id = $2',
        [type, id],
      );
      if (!rows[0]) throw new Error(`no ${type}/${id}`);
      return rows[0].content;
    }

    async function count(table: string): Promise<number> {
      const rows = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0]?.n ?? 0;
    }

    async function idOf(type: string, ecdId: string): Promise<string> {
      const rows = await store.query<{ id: string }>(
        'SELECT id FROM fhir_resource WHERE resource_type = $1 AND source_record = $2',
        [type, ecdId],
      );
      if (!rows[0]) throw new Error(`no ${type} from ECD record ${ecdId}`);
      return rows[0].id;
    }

    it('maps a first import to Patient, RelatedPerson and Consent, and counts them', async () => {
      const result = await run(smallExport());
      expect(result.counts).toEqual({
        Patient: { created: 2, updated: 0, ended: 0, unchanged: 0 },
        RelatedPerson: { created: 3, updated: 0, ended: 0, unchanged: 0 },
        Consent: { created: 2, updated: 0, ended: 0, unchanged: 0 },
        PortalRegistration: { created: 2, updated: 0, ended: 0, unchanged: 0 },
      });
      expect(result.records).toBe(1 + 2 + 2 + 3 + 2 + 1 + 1);
      const patient = await resource<Patient>('Patient', await idOf('Patient', 'c1'));
      expect(patient.meta.versionId).toBe('1');
      expect(patient.identifier).toEqual(
        expect.arrayContaining([{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999990019' }]),
      );
      const person = await resource<RelatedPerson>('RelatedPerson', await idOf('RelatedPerson', 'r1'));
      expect(person.patient.reference).toBe(`Patient/${patient.id}`);
      const consent = await resource<Consent>('Consent', await idOf('Consent', 'a1'));
      expect(consent.status).toBe('active');
      expect(consent.provision?.actor?.[0]?.reference?.reference).toBe(`RelatedPerson/${person.id}`);
      expect(await count('ecd_import')).toBe(1);
    });

    it('importing the same export twice changes nothing', async () => {
      await run(smallExport());
      const history = await count('fhir_resource_history');
      const second = await run(smallExport());
      expect(second.counts.Patient).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 2 });
      expect(second.counts.RelatedPerson).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 3 });
      expect(second.counts.Consent).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 2 });
      expect(second.counts.PortalRegistration).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 2 });
      expect(await count('fhir_resource_history')).toBe(history);
    });

    it('a changed record gets a new version; the old one stays in the history', async () => {
      await run(smallExport());
      const changed = smallExport();
      changed.clients[1]!.name.family = 'Jansen-Smit';
      const result = await run(changed);
      expect(result.counts.Patient).toEqual({ created: 0, updated: 1, ended: 0, unchanged: 1 });
      const id = await idOf('Patient', 'c2');
      const patient = await resource<Patient>('Patient', id);
      expect(patient.meta.versionId).toBe('2');
      const versions = await store.query<{ version_id: number; family: string }>(
        `SELECT version_id, content->'name'->0->>'family' AS family FROM fhir_resource_history
         WHERE resource_type = 'Patient' AND id = $1 ORDER BY version_id`,
        [id],
      );
      expect(versions.map((v) => v.version_id)).toEqual([1, 2]);
      expect(versions[1]?.family).toContain('Jansen-Smit');
    });

    it('a record that disappears is ended, not deleted, and comes back as an update', async () => {
      await run(smallExport());
      const without = smallExport();
      without.relations = without.relations.filter((r) => r.id !== 'r2');
      const result = await run(without);
      expect(result.counts.RelatedPerson).toEqual({ created: 0, updated: 0, ended: 1, unchanged: 2 });
      const id = await idOf('RelatedPerson', 'r2');
      const ended = await resource<RelatedPerson>('RelatedPerson', id);
      expect(ended.active).toBe(false);
      expect(ended.period?.end).toBe('2026-11-23');
      expect(ended.meta.versionId).toBe('2');
      const again = await run(without);
      expect(again.counts.RelatedPerson.ended).toBe(0);
      const back = await run(smallExport());
      expect(back.counts.RelatedPerson).toEqual({ created: 0, updated: 1, ended: 0, unchanged: 2 });
      const restored = await resource<RelatedPerson>('RelatedPerson', id);
      expect(restored.active).not.toBe(false);
      expect(restored.meta.versionId).toBe('3');
    });

    it('a withdrawal ends the Consent and records when the request was received (M-3)', async () => {
      await run(smallExport());
      const withdrawn = smallExport();
      withdrawn.portalAuthorisations[0]!.withdrawal = { requestReceivedAt: '2026-11-20T14:30:00+01:00' };
      const result = await run(withdrawn);
      expect(result.counts.Consent).toEqual({ created: 0, updated: 1, ended: 0, unchanged: 1 });
      const consent = await resource<Consent>('Consent', await idOf('Consent', 'a1'));
      expect(consent.status).toBe('inactive');
      expect(JSON.stringify(consent.extension)).toContain('2026-11-20T14:30:00+01:00');
    });

    it('care end and death set the dates the policy engine uses (M-4, A-11)', async () => {
      await run(smallExport());
      const ended = smallExport();
      ended.clients[0]!.careAgreements[0]!.end = '2026-11-22';
      ended.clients[1]!.deceasedDate = '2026-11-21';
      ended.clients[1]!.careAgreements[0]!.end = '2026-11-21';
      const result = await run(ended);
      expect(result.counts.Patient).toEqual({ created: 0, updated: 2, ended: 0, unchanged: 0 });
      const first = await resource<Patient>('Patient', await idOf('Patient', 'c1'));
      expect(JSON.stringify(first.extension)).toContain('2026-11-22');
      const second = await resource<Patient>('Patient', await idOf('Patient', 'c2'));
      expect(second.deceasedDateTime?.startsWith('2026-11-21')).toBe(true);
    });

    it('a dry run counts but changes nothing', async () => {
      const result = await run(smallExport(), { dryRun: true });
      expect(result.dryRun).toBe(true);
      expect(result.counts.Patient.created).toBe(2);
      expect(result.importId).toBeUndefined();
      expect(await count('fhir_resource')).toBe(0);
      expect(await count('ecd_import')).toBe(0);
    });

    it('every version an import writes names that import as its actor', async () => {
      const first = await run(smallExport());
      const changed = smallExport();
      changed.relations = changed.relations.filter((r) => r.id !== 'r2');
      changed.clients[1]!.name.family = 'Jansen-Smit';
      const second = await run(changed);
      expect(first.importId).toBeDefined();
      expect(second.importId).not.toBe(first.importId);
      const logged = await store.query<{ id: string }>('SELECT id FROM ecd_import ORDER BY id');
      expect(logged.map((r) => String(r.id))).toEqual([first.importId, second.importId]);
      const actors = await store.query<{ actor: string; n: number }>(
        'SELECT actor, count(*)::int AS n FROM fhir_resource_history GROUP BY actor ORDER BY actor',
      );
      expect(actors).toEqual([
        { actor: `ecd-import:meerzicht:${first.importId}`, n: 7 },
        // c2 changed, r2 ended.
        { actor: `ecd-import:meerzicht:${second.importId}`, n: 2 },
      ]);
      const ended = await resourceHistory(store, 'RelatedPerson', await idOf('RelatedPerson', 'r2'));
      expect(ended.map((v) => [v.versionId, v.actor, v.endedAt !== null])).toEqual([
        [1, `ecd-import:meerzicht:${first.importId}`, false],
        [2, `ecd-import:meerzicht:${second.importId}`, true],
      ]);
    });

    it('announces a committed sync on the sync channel, and nothing for a failed one', async () => {
      const heard: string[] = [];
      const stop = await store.listen(BULK_CHANGE_CHANNEL, (payload) => heard.push(payload));
      try {
        await failure('{"format":');
        await run(smallExport(), { dryRun: true });
        await run(smallExport());
        await waitFor(() => heard.length > 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(heard).toEqual(['meerzicht']);
      } finally {
        await stop();
      }
    });

    describe('bad input: every problem is located and nothing is applied', () => {
      async function expectNothingApplied(): Promise<void> {
        expect(await count('fhir_resource')).toBe(0);
        expect(await count('portal_registration')).toBe(0);
        expect(await count('ecd_import')).toBe(0);
      }

      it('wrong types name the file, the line, the record and the field', async () => {
        const exp = smallExport() as unknown as { clients: Array<Record<string, unknown>> };
        exp.clients[1]!.birthDate = 19410930;
        exp.clients[1]!.gender = 'M';
        const text = asJson(exp);
        const err = await failure(text);
        expect(err.problems).toEqual([
          expect.objectContaining({
            file: 'export.json',
            // B10: each problem on the line of its field, not of the record.
            line: lineOf(text, '"birthDate": 19410930'),
            entity: 'clients',
            index: 1,
            recordId: 'c2',
            field: 'birthDate',
            reason: 'must be a string',
          }),
          expect.objectContaining({
            line: lineOf(text, '"gender": "M"'),
            field: 'gender',
            reason: 'must be one of male, female, other, unknown',
          }),
        ]);
        // The public text counts the problems; the list is on the error, and described in its detail.
        expect(err).toMatchObject({
          code: 'ERR_ECD_INVALID',
          status: 422,
          message: 'the export was not applied; nothing changed (2 problems)',
        });
        expect(err).toBeInstanceOf(GatewayError);
        expect(err.detail).toContain('export.json line');
        await expectNothingApplied();
      });

      it('an unknown role code', async () => {
        const exp = smallExport();
        (exp.relations[2] as { role: string }).role = 'neighbour';
        const err = await failure(exp);
        expect(err.problems[0]).toMatchObject({ entity: 'relations', recordId: 'r3', field: 'role' });
        await expectNothingApplied();
      });

      it('a relation to a client that does not exist', async () => {
        const exp = smallExport();
        exp.relations[2]!.clientId = 'c9';
        const err = await failure(exp);
        expect(err.problems).toEqual([
          expect.objectContaining({
            entity: 'relations',
            recordId: 'r3',
            field: 'clientId',
            reason: "refers to client 'c9', which is not in this export",
          }),
        ]);
        await expectNothingApplied();
      });

      it('a grant to a relation of another client', async () => {
        const exp = smallExport();
        exp.portalAuthorisations[0]!.granteeRelationId = 'r3';
        const err = await failure(exp);
        expect(err.problems).toEqual([
          expect.objectContaining({
            recordId: 'a1',
            field: 'granteeRelationId',
            reason: "relation 'r3' belongs to client 'c2', not to client 'c1'",
          }),
        ]);
        await expectNothingApplied();
      });

      it('duplicate ids', async () => {
        const exp = smallExport();
        exp.relations.push({ ...exp.relations[0]!, name: { given: ['X'], family: 'Y' } });
        const text = asJson(exp);
        const err = await failure(text);
        expect(err.problems).toEqual([
          expect.objectContaining({ entity: 'relations', index: 3, recordId: 'r1', field: 'id' }),
        ]);
        expect(err.problems[0]?.reason).toMatch(/^duplicate id 'r1' \(first used on line \d+\)$/);
        await expectNothingApplied();
      });

      it('a BSN that fails the eleven-test', async () => {
        const exp = smallExport();
        exp.clients[0]!.bsn = '123456789';
        const err = await failure(exp);
        expect(err.problems).toEqual([
          expect.objectContaining({
            recordId: 'c1',
            field: 'bsn',
            reason: 'is not a valid BSN (fails the eleven-test)',
          }),
        ]);
        await expectNothingApplied();
      });

      it('B11: two clients of one organisation with the same BSN are refused, naming both', async () => {
        const exp = smallExport();
        exp.clients[1]!.bsn = exp.clients[0]!.bsn;
        const text = asJson(exp);
        const err = await failure(text);
        const firstLine = lineOf(text, '"id": "c1"') - 1;
        expect(err.problems).toEqual([
          expect.objectContaining({
            entity: 'clients',
            recordId: 'c2',
            line: lineOf(text, '"id": "c2"') - 1,
            field: 'bsn',
            reason: `has the same BSN as client 'c1' (line ${firstLine}); one person is one client of an organisation`,
          }),
        ]);
        // The BSN itself is personal data: a problem report names the records, not the number.
        expect(JSON.stringify(err.problems)).not.toContain('999990019');
        await expectNothingApplied();
      });

      it('a birth date in the future', async () => {
        const exp = smallExport();
        exp.clients[1]!.birthDate = '2026-11-24';
        const err = await failure(exp);
        expect(err.problems).toEqual([
          expect.objectContaining({
            recordId: 'c2',
            field: 'birthDate',
            reason: 'lies in the future (today is 2026-11-23)',
          }),
        ]);
        await expectNothingApplied();
      });

      it('a truncated file', async () => {
        const text = asJson(smallExport());
        const err = await failure(text.slice(0, Math.floor(text.length * 0.6)));
        expect(err.problems).toHaveLength(1);
        expect(err.problems[0]?.file).toBe('export.json');
        expect(err.problems[0]?.reason).toMatch(/ends|truncated/i);
        await expectNothingApplied();
      });

      it('a file of 100 MB is refused without reading it into memory', async () => {
        const path = join(mkdtempSync(join(tmpdir(), 'inzage-100mb-')), 'huge.json');
        const out = openSync(path, 'w');
        try {
          writeSync(
            out,
            '{"format":"inzage-ecd-export","version":1,"clients":[{"id":"c1","name":{"given":["',
          );
          const megabyte = Buffer.alloc(1024 * 1024, 'x');
          for (let i = 0; i < 100; i += 1) writeSync(out, megabyte);
          writeSync(out, '"]}}]}');
        } finally {
          closeSync(out);
        }
        expect(statSync(path).size).toBeGreaterThan(100 * 1024 * 1024);
        const heapBefore = process.memoryUsage().heapUsed;
        let err: unknown;
        try {
          await importEcdExport(store, readEcdExport(path), {
            organisations: ORGANISATIONS,
            source: 'test',
            now: NOW,
          });
        } catch (caught) {
          err = caught;
        }
        expect(err).toBeInstanceOf(EcdImportError);
        expect((err as EcdImportError).problems[0]).toMatchObject({ file: path, line: 1 });
        expect((err as EcdImportError).problems[0]?.reason).toMatch(/longer than/);
        expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);
        rmSync(path);
        await expectNothingApplied();
      });

      it('an error late in the file rolls back what an earlier sync would have changed', async () => {
        await run(smallExport());
        const before = await count('fhir_resource_history');
        const exp = smallExport();
        exp.clients[0]!.name.family = 'Changed';
        exp.clientAgreements[0]!.relationId = 'r404';
        await failure(exp);
        expect(await count('fhir_resource_history')).toBe(before);
        const patient = await resource<Patient>('Patient', await idOf('Patient', 'c1'));
        expect(patient.name?.[0]?.family).not.toContain('Changed');
      });

      it('an organisation that is not configured, or not the key holder', async () => {
        const exp = smallExport();
        exp.organisation.id = 'elders';
        expect((await failure(exp)).problems[0]?.reason).toMatch(/organisation 'elders' is not configured/);
        expect(
          (await failure(smallExport(), { expectedOrganisationId: 'amerhof' })).problems[0]?.reason,
        ).toBe("this client may only sync organisation 'amerhof'");
        await expectNothingApplied();
      });

      it('refuses an export without clients that would end every client', async () => {
        await run(smallExport());
        const empty = {
          ...smallExport(),
          clients: [],
          relations: [],
          portalRegistrations: [],
          portalAuthorisations: [],
          clientAgreements: [],
        };
        expect((await failure(empty)).problems[0]?.reason).toMatch(/would end all 2 clients/);
        const result = await run(empty, { allowEndingAll: true });
        expect(result.counts.Patient.ended).toBe(2);
      });

      it('caps the number of problems it reports', async () => {
        const exp = smallExport();
        for (let i = 0; i < 150; i += 1) {
          exp.relations.push({
            id: `x${i}`,
            clientId: 'c1',
            role: 'other',
            name: { given: ['A'], family: 'B' },
            relationship: 'lower',
          });
        }
        const err = await failure(exp, { maxProblems: 20 });
        expect(err.problems).toHaveLength(20);
        expect(err.truncated).toBe(true);
      });
    });

    describe('delta exports (only what changed)', () => {
      function delta(parts: Partial<EcdExport>): EcdExport {
        const base = smallExport();
        return {
          ...base,
          mode: 'delta',
          clients: [],
          relations: [],
          portalRegistrations: [],
          portalAuthorisations: [],
          clientAgreements: [],
          ...parts,
        };
      }

      it('updates what it lists and ends nothing for being absent', async () => {
        await run(smallExport());
        const client = { ...smallExport().clients[1]!, name: { given: ['Bert'], family: 'Jansen-Smit' } };
        const result = await run(delta({ clients: [client] }));
        expect(result.counts.Patient).toEqual({ created: 0, updated: 1, ended: 0, unchanged: 0 });
        expect(result.counts.RelatedPerson).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 0 });
        expect(result.counts.PortalRegistration.ended).toBe(0);
        const stillThere = await resource<RelatedPerson>('RelatedPerson', await idOf('RelatedPerson', 'r2'));
        expect(stillThere.active).not.toBe(false);
      });

      it('may refer to clients and relations stored by an earlier sync', async () => {
        await run(smallExport());
        const relation = {
          id: 'r4',
          clientId: 'c2',
          role: 'mentor' as const,
          name: { given: ['Fien'], family: 'Smit' },
        };
        const grant = {
          id: 'a2',
          clientId: 'c1',
          grantedBy: { kind: 'client' as const },
          granteeRelationId: 'r2',
          sections: ['documents' as const],
          grantedOn: '2026-11-01',
        };
        const result = await run(delta({ relations: [relation], portalAuthorisations: [grant] }));
        expect(result.counts.RelatedPerson.created).toBe(1);
        expect(result.counts.Consent.created).toBe(1);
      });

      it('B6: a delta may leave out sections; what it leaves out is left untouched', async () => {
        await run(smallExport());
        const historyBefore = await count('fhir_resource_history');
        const client = { ...smallExport().clients[1]!, name: { given: ['Bert'], family: 'Jansen-Smit' } };
        const {
          relations: _r,
          portalRegistrations: _g,
          portalAuthorisations: _a,
          clientAgreements: _k,
          ...rest
        } = delta({ clients: [client] });
        const text = asJson(rest);
        expect(text).not.toContain('"relations"');
        const result = await run(text);
        expect(result.counts.Patient).toEqual({ created: 0, updated: 1, ended: 0, unchanged: 0 });
        for (const kind of ['RelatedPerson', 'Consent', 'PortalRegistration'] as const) {
          expect(result.counts[kind]).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 0 });
        }
        expect(await count('fhir_resource_history')).toBe(historyBefore + 1);
        const relation = await resource<RelatedPerson>('RelatedPerson', await idOf('RelatedPerson', 'r2'));
        expect(relation.active).toBe(true);
        expect(relation.meta.versionId).toBe('1');
      });

      it('B6: a delta of relations alone, without clients, refers to stored clients', async () => {
        await run(smallExport());
        const text = asJson({
          format: 'inzage-ecd-export',
          version: 1,
          exportedAt: '2026-11-23T07:00:00+01:00',
          mode: 'delta',
          organisation: smallExport().organisation,
          relations: [
            { id: 'r4', clientId: 'c2', role: 'mentor', name: { given: ['Fien'], family: 'Smit' } },
          ],
        });
        const result = await run(text);
        expect(result.counts.RelatedPerson.created).toBe(1);
        expect(result.counts.Patient).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 0 });
      });

      it('B6: a full export without a section is still refused, with a problem that names it', async () => {
        await run(smallExport());
        const historyBefore = await count('fhir_resource_history');
        const { relations: _relations, ...withoutRelations } = smallExport();
        const err = await failure(asJson(withoutRelations));
        expect(err.problems).toEqual([
          expect.objectContaining({
            file: 'export.json',
            field: 'relations',
            reason: expect.stringMatching(
              /^missing top-level field 'relations' \(the export ends at line \d+; a full export lists every section, \[\] when it has none\)$/,
            ),
          }),
        ]);
        expect(await count('fhir_resource_history')).toBe(historyBefore);
      });

      it('B11: a delta client with the BSN of another stored client is refused', async () => {
        await run(smallExport());
        const newcomer = {
          ...smallExport().clients[1]!,
          id: 'c3',
          bsn: '999990019',
          careAgreements: [{ id: 'z3', careType: 'elderly-care' as const, start: '2026-11-01' }],
        };
        const err = await failure(delta({ clients: [newcomer] }));
        expect(err.problems).toEqual([
          expect.objectContaining({
            entity: 'clients',
            recordId: 'c3',
            field: 'bsn',
            reason:
              "has the same BSN as client 'c1', stored by an earlier sync; one person is one client of an organisation",
          }),
        ]);
        // The same delta may give the BSN to c3 when it also gives c1 another one (a corrected BSN).
        const corrected = { ...smallExport().clients[0]!, bsn: '999990020' };
        const result = await run(delta({ clients: [corrected, newcomer] }));
        expect(result.counts.Patient).toEqual({ created: 1, updated: 1, ended: 0, unchanged: 0 });
      });

      it('refuses references to what is neither in the delta nor stored', async () => {
        await run(smallExport());
        const relation = {
          id: 'r5',
          clientId: 'c404',
          role: 'mentor' as const,
          name: { given: ['Fien'], family: 'Smit' },
        };
        const grant = {
          id: 'a3',
          clientId: 'c1',
          grantedBy: { kind: 'client' as const },
          granteeRelationId: 'r404',
          sections: ['documents' as const],
          grantedOn: '2026-11-01',
        };
        const err = await failure(delta({ relations: [relation], portalAuthorisations: [grant] }));
        expect(err.problems.map((p) => [p.recordId, p.field, p.reason])).toEqual([
          ['r5', 'clientId', "refers to client 'c404', which is not in this export nor stored"],
          ['a3', 'granteeRelationId', "refers to relation 'r404', which is not in this export"],
        ]);
      });
    });

    it('B11: one person may be a client of two organisations', async () => {
      await run(smallExport());
      const other = smallExport();
      other.organisation = { id: 'amerhof', name: 'Stichting Amerhof' };
      const result = await run(other);
      expect(result.counts.Patient.created).toBe(2);
      const holders = await store.query<{ organisation_id: string }>(
        `SELECT organisation_id FROM fhir_resource
         WHERE resource_type = 'Patient' AND content->'identifier' @> '[{"value": "999990019"}]'::jsonb
         ORDER BY organisation_id`,
      );
      expect(holders.map((h) => h.organisation_id)).toEqual(['amerhof', 'meerzicht']);
    });

    it('B6: a CSV delta may leave out clients.csv; a full CSV export may not', async () => {
      await run(smallExport());
      const organisation = (mode: string) =>
        `format,version,exported_at,mode,id,name\ninzage-ecd-export,1,2026-11-23T07:00:00+01:00,${mode},meerzicht,Zorgcentrum Meerzicht\n`;
      const relations = 'id,client_id,role,given_names,family_name\nr4,c2,mentor,Fien,Smit\n';
      const dir = mkdtempSync(join(tmpdir(), 'inzage-csv-delta-'));
      writeFileSync(join(dir, 'organisation.csv'), organisation('delta'));
      writeFileSync(join(dir, 'relations.csv'), relations);
      const options = { organisations: ORGANISATIONS, source: 'test', now: NOW };
      const result = await importEcdExport(store, readEcdExport(dir), options);
      expect(result.counts.RelatedPerson.created).toBe(1);
      writeFileSync(join(dir, 'organisation.csv'), organisation('full'));
      const refused = await importEcdExport(store, readEcdExport(dir), options).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(EcdImportError);
      expect((refused as EcdImportError).problems[0]?.reason).toBe(
        'missing clients.csv: an export must have one',
      );
    });

    it('reads the same export from a CSV directory', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'inzage-csv-'));
      writeFileSync(
        join(dir, 'organisation.csv'),
        'format,version,exported_at,id,name,ura\ninzage-ecd-export,1,2026-11-23T06:00:00+01:00,meerzicht,Zorgcentrum Meerzicht,12345678\n',
      );
      writeFileSync(
        join(dir, 'clients.csv'),
        'id;bsn;given_names;family_name;name_prefix;birth_date;gender;email;mobile\n' +
          'c1;999990019;Anna Maria;Vries;de;1938-04-12;female;anna@example.nl;+31612340001\n' +
          'c2;;Bert;Jansen;;1941-09-30;male;;\n',
      );
      writeFileSync(
        join(dir, 'care-agreements.csv'),
        'id,client_id,care_type,start,end\nz1,c1,elderly-care,2024-01-01,\nz2,c2,elderly-care,2023-06-01,\n',
      );
      writeFileSync(
        join(dir, 'relations.csv'),
        'id,client_id,role,given_names,family_name,name_prefix,relationship,email,mobile\n' +
          'r1,c1,first-contact-person,Carla,Vries,de,DAUC,carla@example.nl,+31612340002\n' +
          'r2,c1,second-contact-person,Dirk,Vries,de,,,\n' +
          'r3,c2,financial-administrator,Els,Bakker,,,,\n',
      );
      writeFileSync(
        join(dir, 'portal-registrations.csv'),
        'id,client_id,person,registered_on,requested_role\ng1,c1,client,2025-02-01,client\ng2,c1,relation:r1,2025-02-01,user\n',
      );
      writeFileSync(
        join(dir, 'portal-authorisations.csv'),
        'id,client_id,granted_by,grantee_relation_id,sections,granted_on\na1,c1,client,r1,reports;appointments,2025-02-01\n',
      );
      writeFileSync(
        join(dir, 'client-agreements.csv'),
        'id,client_id,subject,relation_id,agreed,recorded_on\nk1,c1,parental-access,r1,false,2025-02-01\n',
      );
      const fromCsv = await importEcdExport(store, readEcdExport(dir), {
        organisations: ORGANISATIONS,
        source: 'test',
        now: NOW,
      });
      expect(fromCsv.counts.Patient.created).toBe(2);
      // The JSON form of the same export finds nothing to change.
      const fromJson = await run(smallExport());
      expect(fromJson.counts.Patient).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 2 });
      expect(fromJson.counts.RelatedPerson.unchanged).toBe(3);
      expect(fromJson.counts.Consent.unchanged).toBe(2);
      expect(fromJson.counts.PortalRegistration.unchanged).toBe(2);
    });
  });
}

async function waitFor(condition: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
