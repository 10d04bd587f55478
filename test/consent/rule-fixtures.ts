import type { Consent, RelatedPerson } from '@medplum/fhirtypes';
import { addDays, amsterdamOffsetMs } from '../../src/calendar';
import { PolicyEngine, type ConsentDecision } from '../../src/consent';
import type { PortalSection } from '../../src/vocabulary';
import { factsFromResources, type ClientFacts, type Suspension } from '../../src/consent/facts';
import { loadPreset, type PolicyPreset } from '../../src/consent/preset';
import {
  mapAuthorisation,
  mapClient,
  mapClientAgreement,
  mapRelation,
  patientId,
  relatedPersonId,
  type EcdCareAgreement,
  type EcdCareType,
  type EcdClient,
  type EcdClientAgreement,
  type EcdOrganisation,
  type EcdPersonReference,
  type EcdPortalAuthorisation,
  type EcdRelation,
  type EcdRelationRole,
  type IsoDate,
  type IsoDateTime,
} from '../../src/ecd';
import {
  parsePersonReference,
  patientReference,
  relatedPersonReference,
  type PatientReference,
  type PersonReference,
  type RelatedPersonReference,
} from '../../src/vocabulary';

/**
 * Fixtures for the rule tests: a client's records are written as the ECD exports them, mapped to the
 * gateway's FHIR resources by the real mapping, and turned into the engine's facts by the real
 * `factsFromResources`; only the database is left out.
 */

export const MEERZICHT: EcdOrganisation = { id: 'meerzicht', name: 'Zorgcentrum Meerzicht' };
export const AMERHOF: EcdOrganisation = { id: 'amerhof', name: 'Stichting Amerhof' };

/** The moment most tests decide for: Monday 23 November 2026, noon in the Netherlands. */
export const NOW = new Date('2026-11-23T12:00:00+01:00');
export const TODAY: IsoDate = '2026-11-23';

/** A wall-clock time on a calendar day in the Netherlands (CET or CEST, whichever applies then). */
export function dutchMoment(date: IsoDate, time = '12:00:00'): Date {
  for (const hours of [1, 2]) {
    const moment = new Date(`${date}T${time}+0${hours}:00`);
    if (amsterdamOffsetMs(moment) === hours * 3_600_000) return moment;
  }
  throw new Error(`no Amsterdam moment ${date} ${time}`);
}

/**
 * The engine as the gateway builds it for the two reference organisations, without a database; a
 * test may hand in a variant of a preset.
 */
export function ruleEngine(
  presets: { meerlanden?: PolicyPreset; amerpoort?: PolicyPreset } = {},
): PolicyEngine {
  return new PolicyEngine({
    facts: { load: async () => undefined },
    presets: new Map([
      [MEERZICHT.id, presets.meerlanden ?? loadPreset('meerlanden')],
      [AMERHOF.id, presets.amerpoort ?? loadPreset('amerpoort')],
    ]),
  });
}

const engine = ruleEngine();

export interface GrantOptions {
  /** Who gave the grant; the client when absent, else a relation id. */
  by?: string;
  on?: IsoDate;
  /** When the written withdrawal reached the organisation (M-3). */
  withdrawnAt?: IsoDateTime;
}

export interface RelationOptions {
  relationship?: string;
  parentalAuthority?: boolean;
  start?: IsoDate;
  end?: IsoDate;
}

/**
 * One client's ECD records, built step by step. The client has an open-ended care agreement from
 * 2020 unless told otherwise; ids are the ECD's (`c1`, `r1`, …), references the gateway's.
 */
export class Dossier {
  readonly org: EcdOrganisation;
  readonly client: EcdClient;
  readonly careAgreements: EcdCareAgreement[];
  readonly relations: EcdRelation[] = [];
  readonly authorisations: EcdPortalAuthorisation[] = [];
  readonly agreements: EcdClientAgreement[] = [];
  readonly registrations: string[] = [];
  /** Resources of other clients handed to the facts as well (they must not count). */
  readonly strangers: { relatedPersons: RelatedPerson[]; consents: Consent[] } = {
    relatedPersons: [],
    consents: [],
  };

  constructor(org: EcdOrganisation, birthDate: IsoDate, clientId = 'c1') {
    this.org = org;
    const careType: EcdCareType = org.id === AMERHOF.id ? 'disability-care' : 'elderly-care';
    this.careAgreements = [{ id: `z-${clientId}`, careType, start: '2020-01-01' }];
    this.client = {
      id: clientId,
      name: { given: ['Cliënt'], family: 'Test' },
      birthDate,
      gender: 'female',
      careAgreements: this.careAgreements,
    };
  }

  /** The client's reference as the engine sees it. */
  get patient(): PatientReference {
    return patientReference(patientId(this.org.id, this.client.id));
  }

  /** A relation's reference as the engine sees it. */
  ref(relationId: string): RelatedPersonReference {
    return relatedPersonReference(relatedPersonId(this.org.id, relationId));
  }

  relation(id: string, role: EcdRelationRole, options: RelationOptions = {}): this {
    this.relations.push({
      id,
      clientId: this.client.id,
      role,
      name: { given: [id.toUpperCase()], family: 'Relatie' },
      ...options,
    });
    return this;
  }

  grant(id: string, granteeRelationId: string, sections: PortalSection[], options: GrantOptions = {}): this {
    const grantedBy: EcdPersonReference = options.by
      ? { kind: 'relation', relationId: options.by }
      : { kind: 'client' };
    this.authorisations.push({
      id,
      clientId: this.client.id,
      grantedBy,
      granteeRelationId,
      sections,
      grantedOn: options.on ?? '2025-01-01',
      ...(options.withdrawnAt ? { withdrawal: { requestReceivedAt: options.withdrawnAt } } : {}),
    });
    return this;
  }

  agreement(
    id: string,
    subject: EcdClientAgreement['subject'],
    relationId: string,
    agreed: boolean,
    recordedOn: IsoDate = '2025-01-01',
  ): this {
    this.agreements.push({ id, clientId: this.client.id, subject, relationId, agreed, recordedOn });
    return this;
  }

  capacity(capable: boolean, assessedOn: IsoDate = '2025-01-01'): this {
    this.client.administratorCapacity = { capable, assessedOn, assessorRole: 'behavioural-expert' };
    return this;
  }

  careEnds(end: IsoDate): this {
    for (const agreement of this.careAgreements) agreement.end = end;
    return this;
  }

  diesOn(date: IsoDate): this {
    this.client.deceasedDate = date;
    return this;
  }

  registeredAsAdministrator(relationId: string): this {
    this.registrations.push(relationId);
    return this;
  }

  /** Records of another client of the same organisation, mapped and handed in with this client's. */
  strangerRelation(relation: EcdRelation): this {
    this.strangers.relatedPersons.push(mapRelation(relation, this.org));
    return this;
  }

  strangerGrant(authorisation: EcdPortalAuthorisation): this {
    this.strangers.consents.push(mapAuthorisation(authorisation, this.org));
    return this;
  }

  /** The resources the ECD link writes for this client. */
  resources() {
    return {
      patient: mapClient(this.client, this.careAgreements, this.org),
      relatedPersons: this.relations.map((r) => mapRelation(r, this.org)),
      consents: [
        ...this.authorisations.map((a) => mapAuthorisation(a, this.org)),
        ...this.agreements.map((a) => mapClientAgreement(a, this.org)),
      ],
    };
  }

  /** The organisation suspends one person's access ('client' or a relation id), or with no one the whole portal. */
  suspended(who: string | undefined, startsAt: Date, endsAt?: Date): this {
    this.suspensions.push({
      id: `s${this.suspensions.length + 1}`,
      ...(who ? { principal: this.principal(who) } : {}),
      startsAt: startsAt.getTime(),
      ...(endsAt ? { endsAt: endsAt.getTime() } : {}),
      reason: 'test',
    });
    return this;
  }

  readonly suspensions: Suspension[] = [];

  facts(): ClientFacts {
    const { patient, relatedPersons, consents } = this.resources();
    return factsFromResources({
      suspensions: this.suspensions,
      organisationId: this.org.id,
      patient,
      relatedPersons: [...relatedPersons, ...this.strangers.relatedPersons],
      consents: [...consents, ...this.strangers.consents],
      administratorRegistrations: this.registrations.map((id) => this.ref(id)),
    });
  }

  /** The engine's decision for a principal ('client', a relation id, or a full reference). */
  decide(
    principal: string,
    at: Date = NOW,
    sections?: PortalSection[],
    using: PolicyEngine = engine,
  ): ConsentDecision {
    return using.decideWith(this.facts(), {
      principal: this.principal(principal),
      patient: this.patient,
      at,
      ...(sections ? { sections } : {}),
    });
  }

  principal(who: string): PersonReference {
    if (who === 'client') return this.patient;
    if (who.includes('/')) return parsePersonReference(who).reference;
    return this.ref(who);
  }
}

/** A Meerzicht client (Meerlanden preset), born in 1940. */
export function meerzichtClient(birthDate: IsoDate = '1940-05-17'): Dossier {
  return new Dossier(MEERZICHT, birthDate);
}

/** An Amerhof client (Amerpoort preset), an adult unless a birth date says otherwise. */
export function amerhofClient(birthDate: IsoDate = '1990-03-08'): Dossier {
  return new Dossier(AMERHOF, birthDate);
}

/** The rule ids a decision rests on. */
export function rules(decision: ConsentDecision): string[] {
  return decision.basis.flatMap((b) => (b.kind === 'rule' ? [b.rule] : []));
}

/** The Consent ids a decision rests on. */
export function consentIds(decision: ConsentDecision): string[] {
  return decision.basis.flatMap((b) => (b.kind === 'consent' ? [b.consentId] : []));
}

/**
 * M-5 and A-10 say the same of both presets: the organisation suspends one person's access, or the
 * client's whole portal, from a moment and until a moment. One suite, run under each preset's rule id.
 */
export function describeSuspensionRules(rule: 'M-5' | 'A-10', client: () => Dossier): void {
  describe(`${rule}: the organisation suspends or ends access`, () => {
    it(`${rule}: a suspended person is denied from the moment it starts, others keep their access`, () => {
      const dossier = client()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports'])
        .suspended('r1', dutchMoment(TODAY, '11:00:00'));
      expect(dossier.decide('r1', dutchMoment(TODAY, '10:59:59')).permit).toBe(true);
      const denied = dossier.decide('r1', dutchMoment(TODAY, '11:00:00'));
      expect(denied.permit).toBe(false);
      expect(rules(denied)).toEqual([rule]);
      expect(dossier.decide('client').permit).toBe(true);
    });

    it(`${rule}: closing the client's portal denies everyone until the end given`, () => {
      const dossier = client()
        .relation('r1', 'first-contact-person')
        .grant('a1', 'r1', ['reports'])
        .suspended(undefined, dutchMoment(TODAY, '00:00:00'), dutchMoment(addDays(TODAY, 1), '00:00:00'));
      expect(dossier.decide('client').permit).toBe(false);
      expect(dossier.decide('r1').permit).toBe(false);
      expect(rules(dossier.decide('client'))).toEqual([rule]);
      expect(dossier.decide('client', dutchMoment(addDays(TODAY, 1), '00:00:00')).permit).toBe(true);
    });
  });
}
