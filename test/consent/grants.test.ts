import {
  createPolicyEngine,
  grantAccess,
  GrantRefused,
  withdrawAccess,
  type PolicyEngine,
} from '../../src/consent';
import {
  administratorRegistrationsOf,
  importEcdExport,
  readEcdJsonStream,
  type EcdExport,
  patientId,
  relatedPersonId,
  validateMapped,
} from '../../src/ecd';
import { migrate, openStore, type Store } from '../../src/store';
import { ORGANISATIONS } from '../ecd/fixtures';

const AT = new Date('2026-11-23T12:00:00+01:00');
const LATER = new Date('2026-11-23T12:05:00+01:00');
const client = `Patient/${patientId('amerhof', 'c1')}`;
const sister = `RelatedPerson/${relatedPersonId('amerhof', 'r1')}`;
const bewindvoerder = `RelatedPerson/${relatedPersonId('amerhof', 'r2')}`;
const curatorClient = `Patient/${patientId('amerhof', 'c2')}`;
const curator = `RelatedPerson/${relatedPersonId('amerhof', 'r3')}`;
const brother = `RelatedPerson/${relatedPersonId('amerhof', 'r4')}`;

function amerhofExport(): EcdExport {
  const person = (given: string) => ({ given: [given], family: 'Smit' });
  return {
    format: 'inzage-ecd-export',
    version: 1,
    exportedAt: '2026-11-23T06:00:00+01:00',
    organisation: { id: 'amerhof', name: 'Stichting Amerhof' },
    clients: [
      {
        id: 'c1',
        name: person('Sanne'),
        birthDate: '1990-05-05',
        gender: 'female',
        careAgreements: [{ id: 'z1', careType: 'disability-care', start: '2015-01-01' }],
      },
      {
        id: 'c2',
        name: person('Tom'),
        birthDate: '1985-03-03',
        gender: 'male',
        careAgreements: [{ id: 'z2', careType: 'disability-care', start: '2015-01-01' }],
      },
    ],
    relations: [
      { id: 'r1', clientId: 'c1', role: 'other', relationship: 'SIS', name: person('Lies') },
      { id: 'r2', clientId: 'c1', role: 'financial-administrator', name: person('Bert') },
      { id: 'r3', clientId: 'c2', role: 'curator', name: person('Carla') },
      { id: 'r4', clientId: 'c2', role: 'other', relationship: 'BRO', name: person('Daan') },
    ],
    portalRegistrations: [],
    portalAuthorisations: [],
    clientAgreements: [],
  };
}

describe('A-3: grants written through the engine', () => {
  let store: Store;
  let engine: PolicyEngine;

  beforeAll(async () => {
    store = await openStore({ driver: 'pglite' });
    await migrate(store);
    await importEcdExport(store, readEcdJsonStream([JSON.stringify(amerhofExport())], 'amerhof.json'), {
      organisations: ORGANISATIONS,
      source: 'test',
      now: AT,
    });
    engine = createPolicyEngine(ORGANISATIONS, store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
  });

  afterAll(async () => {
    await store.close();
  });

  it('A-3/A-4: the client, as administrator, grants a relation sections; the next decision permits exactly those', async () => {
    expect((await engine.decide({ principal: sister, patient: client, at: AT })).permit).toBe(false);
    const consent = await grantAccess(engine, store, {
      by: client,
      patient: client,
      grantee: sister,
      sections: ['reports', 'documents'],
      at: AT,
    });
    expect(() => validateMapped(consent)).not.toThrow();
    const decision = await engine.decide({ principal: sister, patient: client, at: LATER });
    expect(decision.permit).toBe(true);
    expect(decision.sections).toEqual(['reports', 'documents']);
    expect(decision.basis).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'consent', consentId: consent.id, verdict: 'permit' }),
      ]),
    );
    const history = await store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM fhir_resource_history WHERE id = $1`,
      [consent.id],
    );
    expect(history[0]?.n).toBe(1);
  });

  it('A-3: anyone who is not the administrator at that moment is refused', async () => {
    await expect(
      grantAccess(engine, store, {
        by: sister,
        patient: client,
        grantee: sister,
        sections: ['reports'],
        at: AT,
      }),
    ).rejects.toThrow(GrantRefused);
    // The client has a curator: the curator is administrator, not the client.
    await expect(
      grantAccess(engine, store, {
        by: curatorClient,
        patient: curatorClient,
        grantee: brother,
        sections: ['reports'],
        at: AT,
      }),
    ).rejects.toThrow(/not the portal administrator/);
    const consent = await grantAccess(engine, store, {
      by: curator,
      patient: curatorClient,
      grantee: brother,
      sections: ['appointments'],
      at: AT,
    });
    expect(consent.performer?.[0]?.reference).toBe(curator);
    expect((await engine.decide({ principal: brother, patient: curatorClient, at: LATER })).sections).toEqual(
      ['appointments'],
    );
  });

  it('A-3/A-6: the curator, as administrator, may admit the client to sections', async () => {
    expect((await engine.decide({ principal: curatorClient, patient: curatorClient, at: AT })).permit).toBe(
      false,
    );
    await grantAccess(engine, store, {
      by: curator,
      patient: curatorClient,
      grantee: curatorClient,
      sections: ['appointments'],
      at: AT,
    });
    const decision = await engine.decide({ principal: curatorClient, patient: curatorClient, at: LATER });
    expect(decision.role).toBe('client');
    expect(decision.sections).toEqual(['appointments']);
  });

  it('A-6: a bewindvoerder cannot be given access', async () => {
    await expect(
      grantAccess(engine, store, {
        by: client,
        patient: client,
        grantee: bewindvoerder,
        sections: ['reports'],
        at: AT,
      }),
    ).rejects.toThrow(/financial-administrator cannot be given access/);
  });

  it('A-3: the administrator withdraws a grant; it takes effect on the next request, the history stays', async () => {
    const consent = await grantAccess(engine, store, {
      by: client,
      patient: client,
      grantee: sister,
      sections: ['medication'],
      at: AT,
    });
    expect(
      (await engine.decide({ principal: sister, patient: client, sections: ['medication'], at: LATER }))
        .permit,
    ).toBe(true);
    await expect(
      withdrawAccess(engine, store, { by: sister, patient: client, consentId: consent.id, at: LATER }),
    ).rejects.toThrow(GrantRefused);
    await withdrawAccess(engine, store, { by: client, patient: client, consentId: consent.id, at: LATER });
    const after = await engine.decide({
      principal: sister,
      patient: client,
      sections: ['medication'],
      at: new Date('2026-11-23T12:06:00+01:00'),
    });
    expect(after.permit).toBe(false);
    const history = await store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM fhir_resource_history WHERE id = $1`,
      [consent.id],
    );
    expect(history[0]?.n).toBe(2);
  });

  it('grants survive an ECD sync: the sync ends only what came from the ECD', async () => {
    const consent = await grantAccess(engine, store, {
      by: client,
      patient: client,
      grantee: sister,
      sections: ['care-plan'],
      at: AT,
    });
    await importEcdExport(store, readEcdJsonStream([JSON.stringify(amerhofExport())], 'amerhof.json'), {
      organisations: ORGANISATIONS,
      source: 'test',
      now: AT,
    });
    engine.invalidate();
    const decision = await engine.decide({
      principal: sister,
      patient: client,
      sections: ['care-plan'],
      at: LATER,
    });
    expect(decision.permit).toBe(true);
    expect(decision.basis).toEqual(
      expect.arrayContaining([expect.objectContaining({ consentId: consent.id })]),
    );
  });
});
