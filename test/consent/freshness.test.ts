import { createPolicyEngine, liftSuspension, suspendAccess, type PolicyEngine } from '../../src/consent';
import {
  administratorRegistrationsOf,
  importEcdExport,
  readEcdJsonStream,
  type EcdExport,
  patientId,
  relatedPersonId,
} from '../../src/ecd';
import { migrate, openStore, type Store } from '../../src/store';
import { asJson, ORGANISATIONS, smallExport } from '../ecd/fixtures';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';

const AT = new Date('2026-11-23T12:00:00+01:00');
const client = `Patient/${patientId('meerzicht', 'c1')}`;
const firstContact = `RelatedPerson/${relatedPersonId('meerzicht', 'r1')}`;
const staff = { kind: 'staff', account: 'privacy-officer' } as const;
const parts = { administratorRegistrations: administratorRegistrationsOf };

function sync(store: Store, exp: EcdExport) {
  return importEcdExport(store, readEcdJsonStream([asJson(exp)], 'export.json'), {
    organisations: ORGANISATIONS,
    source: 'test',
    now: AT,
  });
}

function withdrawn(): EcdExport {
  const exp = smallExport();
  exp.portalAuthorisations[0]!.withdrawal = { requestReceivedAt: '2026-11-23T09:00:00+01:00' };
  return exp;
}

async function until(condition: () => Promise<boolean>, ms = 15000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > ms) throw new Error('the change did not arrive');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - started;
}

/** Two engines (two gateway instances) on the stores given; a change through one reaches the other. */
function describeFreshness(name: string, open: () => Promise<[Store, Store, () => Promise<void>]>): void {
  describe(`consent freshness on ${name}`, () => {
    let writer: Store;
    let reader: Store;
    let cleanup: () => Promise<void>;
    let engineA: PolicyEngine;
    let engineB: PolicyEngine;
    const stops: Array<() => Promise<void>> = [];

    beforeAll(async () => {
      [writer, reader, cleanup] = await open();
      await migrate(writer);
      engineA = createPolicyEngine(ORGANISATIONS, writer, parts);
      engineB = createPolicyEngine(ORGANISATIONS, reader, parts);
      stops.push(await engineA.listenForChanges(writer), await engineB.listenForChanges(reader));
    });

    afterAll(async () => {
      for (const stop of stops) await stop();
      await cleanup();
    });

    it('M-3: a withdrawal synced through one instance takes effect on the next request to the other', async () => {
      await sync(writer, smallExport());
      await until(
        async () => (await engineB.decide({ principal: firstContact, patient: client, at: AT })).permit,
      );
      const before = await engineB.decide({ principal: firstContact, patient: client, at: AT });
      expect(before.sections).toEqual(['reports', 'appointments']);
      await sync(writer, withdrawn());
      const latency = await until(
        async () => !(await engineB.decide({ principal: firstContact, patient: client, at: AT })).permit,
      );
      expect(latency).toBeLessThan(15000);
      const after = await engineB.decide({ principal: firstContact, patient: client, at: AT });
      expect(after.permit).toBe(false);
      expect(after.basis).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'rule', rule: 'consent' })]),
      );
      // And the instance that wrote it agrees.
      expect((await engineA.decide({ principal: firstContact, patient: client, at: AT })).permit).toBe(false);
    });

    it('M-4: a care end synced through one instance closes the portal on the other', async () => {
      await sync(writer, smallExport());
      await until(async () => (await engineB.decide({ principal: client, patient: client, at: AT })).permit);
      const ended = smallExport();
      ended.clients[0]!.careAgreements[0]!.end = '2026-11-23';
      await sync(writer, ended);
      await until(async () => !(await engineB.decide({ principal: client, patient: client, at: AT })).permit);
      const decision = await engineB.decide({ principal: client, patient: client, at: AT });
      expect(decision.basis[0]).toMatchObject({ kind: 'rule', rule: 'M-4' });
    });

    it('M-5/A-10: a suspension of one person, written through one instance, holds on the other until lifted', async () => {
      await sync(writer, smallExport());
      await until(
        async () => (await engineB.decide({ principal: firstContact, patient: client, at: AT })).permit,
      );
      const id = await suspendAccess(engineA, writer, {
        patient: client,
        principal: firstContact,
        startsAt: new Date('2026-11-23T11:00:00+01:00'),
        reason: 'misuse reported by the client',
        by: staff,
      });
      await until(
        async () => !(await engineB.decide({ principal: firstContact, patient: client, at: AT })).permit,
      );
      const suspended = await engineB.decide({ principal: firstContact, patient: client, at: AT });
      expect(suspended.basis).toEqual([
        expect.objectContaining({ rule: 'M-5', text: expect.stringContaining('misuse reported') }),
      ]);
      // Before the suspension started, and for the client, access is unchanged.
      expect(
        (
          await engineB.decide({
            principal: firstContact,
            patient: client,
            at: new Date('2026-11-23T10:59:59+01:00'),
          })
        ).permit,
      ).toBe(true);
      expect((await engineB.decide({ principal: client, patient: client, at: AT })).permit).toBe(true);
      await liftSuspension(engineA, writer, { id, by: staff });
      await until(
        async () => (await engineB.decide({ principal: firstContact, patient: client, at: AT })).permit,
      );
    });

    it("M-5/A-10: closing the client's whole portal denies everyone, for the period given", async () => {
      await sync(writer, smallExport());
      const id = await suspendAccess(engineA, writer, {
        patient: client,
        startsAt: new Date('2026-11-23T00:00:00+01:00'),
        endsAt: new Date('2026-11-24T00:00:00+01:00'),
        reason: "the user's own safety",
        by: staff,
      });
      await until(async () => !(await engineB.decide({ principal: client, patient: client, at: AT })).permit);
      expect((await engineB.decide({ principal: firstContact, patient: client, at: AT })).permit).toBe(false);
      expect(
        (
          await engineB.decide({
            principal: client,
            patient: client,
            at: new Date('2026-11-24T00:00:00+01:00'),
          })
        ).permit,
      ).toBe(true);
      await liftSuspension(engineA, writer, { id, by: staff });
      await expect(liftSuspension(engineA, writer, { id, by: staff })).rejects.toThrow(/no suspension/);
    });

    it('M-5/M-3: an instance whose notification has not arrived yet still decides on the new facts at its very next request (the change counters)', async () => {
      // Engine C never listens: it stands for an instance that the NOTIFY reaches late.
      const engineC = createPolicyEngine(ORGANISATIONS, reader, parts);
      await sync(writer, smallExport());
      expect((await engineC.decide({ principal: firstContact, patient: client, at: AT })).permit).toBe(true);
      const id = await suspendAccess(engineA, writer, {
        patient: client,
        principal: firstContact,
        startsAt: new Date('2026-11-23T11:00:00+01:00'),
        reason: 'misuse reported by the client',
        by: staff,
      });
      expect((await engineC.decide({ principal: firstContact, patient: client, at: AT })).permit).toBe(false);
      await liftSuspension(engineA, writer, { id, by: staff });
      expect((await engineC.decide({ principal: firstContact, patient: client, at: AT })).permit).toBe(true);
      // An ECD sync announces per organisation: its counter makes the withdrawal count at once too.
      await sync(writer, withdrawn());
      expect((await engineC.decide({ principal: firstContact, patient: client, at: AT })).permit).toBe(false);
    });

    it('a cached decision is not served after the facts changed, even for a load in flight', async () => {
      await sync(writer, smallExport());
      const loading = engineB.decide({ principal: firstContact, patient: client, at: AT });
      engineB.invalidate();
      await loading;
      await sync(writer, withdrawn());
      await until(
        async () => !(await engineB.decide({ principal: firstContact, patient: client, at: AT })).permit,
      );
    });
  });
}

describeFreshness('PGlite (one database, two engines)', async () => {
  const store = await openStore({ driver: 'pglite' });
  return [store, store, () => store.close()];
});

describePostgres('two instances', () => {
  let database: TestDatabase;
  describeFreshness('PostgreSQL (two connections, two engines)', async () => {
    database = await createTestDatabase();
    const a = await openStore({ driver: 'postgres', databaseUrl: database.url });
    const b = await openStore({ driver: 'postgres', databaseUrl: database.url });
    return [
      a,
      b,
      async () => {
        await a.close();
        await b.close();
        await dropTestDatabase(database);
      },
    ];
  });
});
