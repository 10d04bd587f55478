import {
  createPolicyEngine,
  grantAccess,
  GrantNotFound,
  GrantNotWithdrawable,
  GrantRefused,
  liftSuspension,
  suspendAccess,
  SuspensionNotFound,
  UnknownClient,
  withdrawAccess,
  type PolicyEngine,
} from '../../src/consent';
import { administratorRegistrationsOf, mapAuthorisation } from '../../src/ecd';
import { isGatewayError } from '../../src/errors';
import { contentHash, resourceHistory, writeResources } from '../../src/resources';
import { migrate, openStore, type Store } from '../../src/store';
import {
  parsePatientReference,
  type PatientReference,
  type RelatedPersonReference,
} from '../../src/vocabulary';
import { ORGANISATIONS } from '../ecd/fixtures';
import { MEERZICHT_CLIENT, recordEcdClient } from '../support/ecd-records';

/** Grants and suspensions: written through their owners, with their actor, refused with named errors. */
const AT = new Date('2026-11-23T12:00:00+01:00');
const LATER = new Date('2026-11-23T12:05:00+01:00');
const staff = { kind: 'staff', account: 'privacy-officer' } as const;

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; status: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, status: err.status, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('consent writes: owners, actors, named refusals', () => {
  let store: Store;
  let engine: PolicyEngine;
  let client: PatientReference;
  let daughter: RelatedPersonReference;
  let other: PatientReference;

  beforeAll(async () => {
    store = await openStore({ driver: 'pglite' });
    await migrate(store);
    const { org, client: c, relations } = MEERZICHT_CLIENT;
    const recorded = await recordEcdClient(store, org, c, relations, new Date('2026-11-01T09:00:00+01:00'));
    client = recorded.patient;
    daughter = recorded.relation('r1');
    other = (await recordEcdClient(store, org, { ...c, id: 'c2' }, [], new Date('2026-11-01T09:00:00+01:00')))
      .patient;
    engine = createPolicyEngine(ORGANISATIONS, store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
  });

  afterAll(async () => {
    await store.close();
  });

  it('A.3b: a grant is written through the ResourceStore: version 1, canonical hash, the granting person as actor', async () => {
    const grant = await grantAccess(engine, store, {
      by: client,
      patient: client,
      grantee: daughter,
      sections: ['reports'],
      at: AT,
    });
    const [first] = await resourceHistory(store, 'Consent', grant.id);
    expect(first).toMatchObject({ versionId: 1, actor: client, source: 'engine', lastUpdated: AT });
    expect(first?.contentHash).toBe(contentHash(grant));
    expect(grant.meta?.versionId).toBe('1');
    expect(grant.category?.[0]?.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '59284-0' });

    const withdrawn = await withdrawAccess(engine, store, {
      by: client,
      patient: client,
      consentId: grant.id,
      at: LATER,
    });
    expect(withdrawn.status).toBe('inactive');
    expect(withdrawn.provision?.period?.end).toBe(LATER.toISOString());
    const history = await resourceHistory(store, 'Consent', grant.id);
    expect(history.map((h) => [h.versionId, h.actor, h.endedAt?.toISOString()])).toEqual([
      [1, client, undefined],
      [2, client, LATER.toISOString()],
    ]);
  });

  it('A.3d: refusals are named errors with a status: not the grantor (403), unknown client (404), bad input (400)', async () => {
    expect(
      await refusal(
        grantAccess(engine, store, {
          by: daughter,
          patient: client,
          grantee: daughter,
          sections: ['reports'],
        }),
      ),
    ).toMatchObject({ code: 'ERR_GRANT_REFUSED', status: 403 });
    await expect(
      grantAccess(engine, store, { by: daughter, patient: client, grantee: daughter, sections: ['reports'] }),
    ).rejects.toThrow(GrantRefused);
    const unknown = 'Patient/meerzicht-nobody';
    await expect(
      grantAccess(engine, store, { by: unknown, patient: unknown, grantee: daughter, sections: ['reports'] }),
    ).rejects.toThrow(UnknownClient);
    expect(
      await refusal(
        grantAccess(engine, store, { by: client, patient: client, grantee: daughter, sections: [] }),
      ),
    ).toMatchObject({ code: 'ERR_INVALID_INPUT', status: 400 });
    expect(
      await refusal(
        grantAccess(engine, store, { by: 'Bob', patient: client, grantee: daughter, sections: ['reports'] }),
      ),
    ).toMatchObject({ code: 'ERR_INVALID_REFERENCE', status: 400 });
  });

  it('A.3d: withdrawing what is not a grant of this client is 404; withdrawing twice, or an ECD grant, is 409', async () => {
    expect(
      await refusal(
        withdrawAccess(engine, store, { by: client, patient: client, consentId: 'no-such-grant' }),
      ),
    ).toMatchObject({ code: 'ERR_GRANT_NOT_FOUND', status: 404 });
    const grant = await grantAccess(engine, store, {
      by: client,
      patient: client,
      grantee: daughter,
      sections: ['appointments'],
    });
    await expect(
      withdrawAccess(engine, store, { by: other, patient: other, consentId: grant.id }),
    ).rejects.toThrow(GrantNotFound);
    await withdrawAccess(engine, store, { by: client, patient: client, consentId: grant.id });
    expect(
      await refusal(withdrawAccess(engine, store, { by: client, patient: client, consentId: grant.id })),
    ).toMatchObject({ code: 'ERR_GRANT_NOT_WITHDRAWABLE', status: 409 });

    const { org } = MEERZICHT_CLIENT;
    const fromEcd = mapAuthorisation(
      {
        id: 'a9',
        clientId: 'c1',
        grantedBy: { kind: 'client' },
        granteeRelationId: 'r1',
        sections: ['documents'],
        grantedOn: '2026-01-01',
      },
      org,
    );
    await store.transaction((tx) =>
      writeResources(
        tx,
        [
          {
            resource: fromEcd,
            organisationId: org.id,
            patientId: parsePatientReference(client).id,
            source: 'ecd',
            sourceRecord: 'a9',
            basedOn: 0,
          },
        ],
        { kind: 'ecd-import', organisationId: org.id, run: 'test' },
      ),
    );
    await expect(
      withdrawAccess(engine, store, { by: client, patient: client, consentId: fromEcd.id }),
    ).rejects.toThrow(GrantNotWithdrawable);
  });

  it('A.3c: a suspension records who suspended, and lifting records who lifted', async () => {
    const id = await suspendAccess(engine, store, {
      patient: client,
      principal: daughter,
      reason: 'misuse reported by the client',
      by: staff,
      at: AT,
    });
    await liftSuspension(engine, store, { id, by: { kind: 'staff', account: 'team-lead' }, at: LATER });
    const rows = await store.query<{ created_by: string; lifted_by: string; created_at: Date }>(
      'SELECT created_by, lifted_by, created_at FROM access_suspension WHERE id = $1',
      [id],
    );
    expect(rows).toEqual([
      { created_by: 'staff:privacy-officer', lifted_by: 'staff:team-lead', created_at: AT },
    ]);
  });

  it('A.3d: suspensions refuse with named errors: no reason or ending before it starts (400), unknown client or suspension (404)', async () => {
    expect(
      await refusal(suspendAccess(engine, store, { patient: client, reason: '  ', by: staff })),
    ).toMatchObject({ status: 400 });
    expect(
      await refusal(
        suspendAccess(engine, store, {
          patient: client,
          reason: 'maintenance of the account',
          startsAt: LATER,
          endsAt: AT,
          by: staff,
        }),
      ),
    ).toMatchObject({ status: 400, message: 'a suspension must end after it starts' });
    await expect(
      suspendAccess(engine, store, { patient: 'Patient/meerzicht-nobody', reason: 'x', by: staff }),
    ).rejects.toThrow(UnknownClient);
    expect(await refusal(liftSuspension(engine, store, { id: 'suspension-none', by: staff }))).toMatchObject({
      code: 'ERR_SUSPENSION_NOT_FOUND',
      status: 404,
    });
    await expect(liftSuspension(engine, store, { id: 'suspension-none', by: staff })).rejects.toThrow(
      SuspensionNotFound,
    );
  });
});
