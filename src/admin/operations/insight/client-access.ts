/** Who has access to a client's portal now, to which sections, and why (the engine's basis). */
import { linksOfPatient } from '../../../auth';
import { ageOn, dutchDate } from '../../../calendar';
import { explainDecision, portalOpen } from '../../../consent';
import { defineOperation, type JsonSchema } from '../../operation';
import { READERS } from '../../roles';
import { SCHEMA } from '../../schemas';
import type { BasisItem } from './shared';
import {
  BASIS_ITEM,
  SECTIONS,
  basisOf,
  factsOfClient,
  peopleOf,
  relationOf,
  relationRole,
  activeOn,
} from './shared';

export interface PersonAccess {
  reference: string;
  name?: string;
  /** 'client' or the relation's role (parent, mentor, first-contact-person, …). */
  relation: string;
  parentalAuthority?: boolean;
  /** false once the relation ended or has not started. */
  relationCurrent: boolean;
  allowed: boolean;
  /** The engine's role for this person: administrator, client, delegate, … or none. */
  accessRole: string;
  sections: string[];
  basis: BasisItem[];
  /** The decision in words, as `inzage explain` prints it. */
  explanation: string;
  accounts: { linkId: string; accountId: string; linkedAt: string }[];
}

export interface ClientAccess {
  patientId: string;
  name: string;
  birthDate?: string;
  age?: number;
  active: boolean;
  deceasedDate?: string;
  care: { start?: string; end?: string }[];
  preset: string;
  portalOpen: boolean;
  portalBasis: BasisItem;
  administrator?: string;
  capacity?: { capable: boolean; assessedOn?: string };
  at: string;
  today: string;
  people: PersonAccess[];
  suspensions: { id: string; principal?: string; startsAt: string; endsAt?: string; reason: string }[];
}

const CLIENT_ACCESS_OUTPUT = {
  type: 'object',
  required: [
    'patientId',
    'name',
    'active',
    'care',
    'preset',
    'portalOpen',
    'portalBasis',
    'at',
    'today',
    'people',
    'suspensions',
  ],
  additionalProperties: false,
  properties: {
    patientId: { type: 'string' },
    name: { type: 'string' },
    birthDate: { type: 'string' },
    age: { type: 'integer' },
    active: { type: 'boolean', description: 'false once the ECD no longer lists the client.' },
    deceasedDate: { type: 'string' },
    care: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { start: { type: 'string' }, end: { type: 'string' } },
      },
    },
    preset: { type: 'string' },
    portalOpen: { type: 'boolean' },
    portalBasis: BASIS_ITEM,
    administrator: {
      type: 'string',
      description: 'The portal administrator today (A-3), when there is one.',
    },
    capacity: {
      type: 'object',
      required: ['capable'],
      additionalProperties: false,
      properties: { capable: { type: 'boolean' }, assessedOn: { type: 'string' } },
    },
    at: SCHEMA.moment,
    today: SCHEMA.date,
    people: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'reference',
          'relation',
          'relationCurrent',
          'allowed',
          'accessRole',
          'sections',
          'basis',
          'explanation',
          'accounts',
        ],
        additionalProperties: false,
        properties: {
          reference: { type: 'string' },
          name: { type: 'string' },
          relation: { type: 'string' },
          parentalAuthority: { type: 'boolean' },
          relationCurrent: { type: 'boolean' },
          allowed: { type: 'boolean' },
          accessRole: { type: 'string' },
          sections: SECTIONS,
          basis: { type: 'array', items: BASIS_ITEM },
          explanation: { type: 'string' },
          accounts: {
            type: 'array',
            items: {
              type: 'object',
              required: ['linkId', 'accountId', 'linkedAt'],
              additionalProperties: false,
              properties: {
                linkId: { type: 'string' },
                accountId: { type: 'string' },
                linkedAt: SCHEMA.moment,
              },
            },
          },
        },
      },
    },
    suspensions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'startsAt', 'reason'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          principal: { type: 'string', description: "Whose access; absent: the client's whole portal." },
          startsAt: SCHEMA.moment,
          endsAt: SCHEMA.moment,
          reason: { type: 'string' },
        },
      },
    },
  },
} as const satisfies JsonSchema;

/** Who has access to a client's portal now, to which sections, and why. */
export const clientAccess = defineOperation<{ patientId: string }, ClientAccess>({
  id: 'clientAccess',
  method: 'get',
  path: '/clients/{patientId}/access',
  tag: 'insight',
  summary: "Who has access to a client's portal now, to which sections, and why",
  description:
    "Every person of the client's portal (the client and each relation on record) with the policy engine's decision of now: allowed or not, the sections, and its basis (the organisation rules by their ids in portal-rules.md, and the Consent provisions), the account links, and the suspensions that have not ended.",
  roles: READERS,
  systemScope: 'system/Patient.rs',
  action: 'R',
  input: {
    type: 'object',
    required: ['patientId'],
    additionalProperties: false,
    properties: { patientId: SCHEMA.patientId },
  },
  output: CLIENT_ACCESS_OUTPUT,
  command: {
    group: 'clients',
    name: 'access',
    print: (out) =>
      [
        `${out.name} (${out.patientId})${out.birthDate ? `, born ${out.birthDate}` : ''}; portal ${out.portalOpen ? 'open' : 'closed'}: ${out.portalBasis.rule} ${out.portalBasis.text}`,
        ...out.people.map((p) => p.explanation.trimEnd()),
        ...out.suspensions.map(
          (s) =>
            `suspended ${s.principal ?? 'whole portal'} from ${s.startsAt}${s.endsAt ? ` until ${s.endsAt}` : ''}: ${s.reason}`,
        ),
      ].join('\n'),
  },
  async run(context, input) {
    const { facts, name } = await factsOfClient(context, input.patientId);
    const { engine, store } = context.services;
    const at = context.now;
    const today = dutchDate(at);
    const preset = engine.presetOf(facts.organisationId);
    const portal = portalOpen(facts, preset, today);
    const links = await linksOfPatient(store, facts.patient);
    let administrator: string | undefined;
    const people = peopleOf(facts).map((person): PersonAccess => {
      const decision = engine.decideWith(facts, { principal: person, patient: facts.patient, at });
      administrator ??= decision.administrator;
      const relation = relationOf(facts, person);
      const personName = facts.names?.[person];
      return {
        reference: person,
        ...(personName ? { name: personName } : {}),
        relation: relationRole(facts, person),
        ...(relation?.role === 'parent' ? { parentalAuthority: relation.parentalAuthority } : {}),
        relationCurrent: relation ? activeOn(relation, today) : facts.active,
        allowed: decision.permit,
        accessRole: decision.role,
        sections: [...decision.sections],
        basis: basisOf(decision.basis),
        explanation: explainDecision(decision),
        accounts: links
          .filter((l) => l.person === person)
          .map((l) => ({ linkId: l.id, accountId: l.accountId, linkedAt: l.linkedAt.toISOString() })),
      };
    });
    const time = at.getTime();
    const age = facts.birthDate ? ageOn(facts.birthDate, today) : undefined;
    return {
      patientId: input.patientId,
      name,
      ...(facts.birthDate ? { birthDate: facts.birthDate } : {}),
      ...(age !== undefined ? { age } : {}),
      active: facts.active,
      ...(facts.deceasedDate ? { deceasedDate: facts.deceasedDate } : {}),
      care: facts.careAgreements.map((a) => ({
        ...(a.start ? { start: a.start } : {}),
        ...(a.end ? { end: a.end } : {}),
      })),
      preset: preset.id,
      portalOpen: portal.open,
      portalBasis: { kind: 'rule', rule: portal.basis.rule, text: portal.basis.text },
      ...(administrator ? { administrator } : {}),
      ...(facts.capacity
        ? {
            capacity: {
              capable: facts.capacity.capable,
              ...(facts.capacity.assessedOn ? { assessedOn: facts.capacity.assessedOn } : {}),
            },
          }
        : {}),
      at: at.toISOString(),
      today,
      people,
      suspensions: facts.suspensions
        .filter((s) => s.endsAt === undefined || s.endsAt > time)
        .map((s) => ({
          id: s.id,
          ...(s.principal ? { principal: s.principal } : {}),
          startsAt: new Date(s.startsAt).toISOString(),
          ...(s.endsAt !== undefined ? { endsAt: new Date(s.endsAt).toISOString() } : {}),
          reason: s.reason,
        })),
    };
  },
});
