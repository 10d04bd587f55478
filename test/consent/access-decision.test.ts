import type { Consent } from '@medplum/fhirtypes';
import { createPolicyEngine, type PolicyEngine } from '../../src/consent';
import { administratorRegistrationsOf } from '../../src/ecd';
import { writeResources } from '../../src/resources';
import { migrate, openStore, type Store } from '../../src/store';
import {
  PORTAL_SECTIONS,
  isPatientReference,
  isPersonReference,
  type PatientReference,
  type PersonReference,
} from '../../src/vocabulary';
import { describeAccessDecisionContract, type ContractSubject } from './access-decision-contract';
import { AMERHOF, Dossier, MEERZICHT, NOW, dutchMoment } from './rule-fixtures';

const ORGANISATIONS = [
  { id: MEERZICHT.id, name: MEERZICHT.name, preset: 'meerlanden' as const },
  { id: AMERHOF.id, name: AMERHOF.name, preset: 'amerpoort' as const },
];

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const DOCUMENTS_FROM = '2025-01-01';

/**
 * The real engine on PGlite in memory, for one organisation: each client's records mapped by the
 * real ECD mapping, written through the ResourceStore, read back by the engine's facts source.
 */
async function subjectFor(
  org: typeof MEERZICHT,
  store: Store,
  engine: PolicyEngine,
): Promise<ContractSubject> {
  const birthDate = org.id === MEERZICHT.id ? '1940-05-17' : '1990-03-08';
  const client = new Dossier(org, birthDate, 'c1')
    .relation('r1', 'first-contact-person')
    .relation('r2', 'first-contact-person')
    .relation('r3', 'first-contact-person')
    .grant('a1', 'r1', ['reports', 'appointments'])
    .grant('a2', 'r1', ['documents'])
    .grant('a3', 'r3', ['reports']);
  const ended = new Dossier(org, birthDate, 'c2').careEnds('2025-12-31');
  const resources = client.resources();
  // a2 allows the documents of 2025 onwards only (a grant's dataPeriod).
  const documents = resources.consents.find(
    (c) => c.provision?.code?.[0]?.coding?.[0]?.code === 'documents',
  )!;
  documents.provision = { ...documents.provision!, dataPeriod: { start: DOCUMENTS_FROM } };
  // A restriction the client recorded: r1 does not see reports labelled restricted (R).
  const restriction: Consent & { id: string } = {
    ...documents,
    id: `${documents.id}-restriction`,
    dateTime: '2025-02-01',
    provision: {
      type: 'deny',
      actor: documents.provision.actor,
      code: [{ coding: [{ system: documents.provision.code![0]!.coding![0]!.system, code: 'reports' }] }],
      securityLabel: [{ system: CONFIDENTIALITY, code: 'R' }],
    },
  };
  for (const [dossier, extra] of [
    [client, [restriction]],
    [ended, []],
  ] as const) {
    const own = dossier === client ? resources : dossier.resources();
    const patientId = own.patient.id;
    await store.transaction((tx) =>
      writeResources(
        tx,
        [own.patient, ...own.relatedPersons, ...own.consents, ...extra].map((resource) => ({
          resource,
          organisationId: org.id,
          patientId,
          source: 'ecd' as const,
          basedOn: 0,
        })),
        { kind: 'ecd-import', organisationId: org.id, run: 'contract' },
      ),
    );
  }
  await store.query(
    `INSERT INTO access_suspension (id, organisation_id, patient_id, principal, starts_at, reason, created_by)
     VALUES ($1, $2, $3, $4, $5, 'reported misuse', 'staff:contract')`,
    [
      `s-${org.id}`,
      org.id,
      client.patient.slice('Patient/'.length),
      client.ref('r3'),
      dutchMoment('2026-01-01').toISOString(),
    ],
  );
  const patient = reference(client.patient, isPatientReference);
  const person = (who: string) => ({ user: reference(client.principal(who), isPersonReference), patient });
  const meerlanden = org.id === MEERZICHT.id;
  const masks = !meerlanden;
  return {
    check: (principal, request) => engine.check(principal, request),
    at: NOW,
    otherPatient: reference(ended.patient, isPatientReference),
    paths: {
      'permit full (the client)': {
        principal: { ...person('client'), clientApp: 'contract-portal' },
        allows: [...PORTAL_SECTIONS],
        masks,
      },
      'permit via grants (some sections, one with a period)': {
        principal: person('r1'),
        allows: ['reports', 'appointments', 'documents'],
        periods: { documents: { start: DOCUMENTS_FROM } },
        excludes: { reports: { system: CONFIDENTIALITY, code: 'R' } },
        masks,
      },
      'deny: no Consent': { principal: person('r2'), allows: [], masks, rule: 'consent' },
      'deny: suspension': { principal: person('r3'), allows: [], masks, rule: meerlanden ? 'M-5' : 'A-10' },
      'deny: care ended': {
        principal: {
          user: reference(ended.patient, isPersonReference),
          patient: reference(ended.patient, isPatientReference),
        },
        allows: [],
        masks,
        rule: meerlanden ? 'M-4' : 'A-11',
      },
      'deny: unknown client': {
        principal: { user: `Patient/${org.id}-nobody`, patient: `Patient/${org.id}-nobody` },
        allows: [],
        masks,
        rule: 'ECD',
      },
    },
  };
}

function reference<T extends PatientReference | PersonReference>(
  text: string,
  is: (t: unknown) => t is T,
): T {
  if (!is(text)) throw new Error(`not a reference: ${text}`);
  return text;
}

let store: Store | undefined;
let engine: PolicyEngine;

async function sharedStore(): Promise<{ store: Store; engine: PolicyEngine }> {
  if (!store) {
    store = await openStore({ driver: 'pglite' });
    await migrate(store);
    engine = createPolicyEngine(ORGANISATIONS, store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
  }
  return { store, engine };
}

async function closeStore(): Promise<void> {
  const open = store;
  store = undefined;
  await open?.close();
}

describeAccessDecisionContract(
  'the engine on PGlite, Meerlanden preset (first contact person)',
  async () => {
    const shared = await sharedStore();
    return subjectFor(MEERZICHT, shared.store, shared.engine);
  },
  async () => undefined,
);

describeAccessDecisionContract(
  'the engine on PGlite, Amerpoort preset (portal administrator, employees masked)',
  async () => {
    const shared = await sharedStore();
    return subjectFor(AMERHOF, shared.store, shared.engine);
  },
  closeStore,
);
