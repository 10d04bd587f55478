import {
  AUDIT_EVENT_KINDS,
  countAuditRecords,
  findAuditRecords,
  toAuditEvent,
  type AuditEventKind,
} from '../../audit';
import { linksOfPatient } from '../../auth';
import { ageOn, dutchDate } from '../../calendar';
import {
  accessChanges,
  explainDecision,
  portalOpen,
  type ChangeCause,
  type ClientFacts,
  type ConsentDecision,
  type DecisionBasis,
  type RelationFacts,
} from '../../consent';
import { NotFound } from '../../errors';
import { patientIdsOfOrganisation } from '../../resources';
import type { PatientReference } from '../../vocabulary';
import {
  defineOperation,
  type AnyAdminOperation,
  type JsonSchema,
  type OperationContext,
} from '../operation';
import { READERS } from '../roles';
import { SCHEMA } from '../schemas';
import { clientName, clientOfCaller } from './client-scope';

/**
 * Seeing why (issue 12, item 8): who has access to a client's portal now and why, the coming changes
 * of that access, and what the organisation must still decide. All reads, for every staff role
 * (the privacy officer too), and for the organisation's systems with system/Patient.rs. Every answer
 * comes from the policy engine itself (its decisions and their basis), so what staff are told is
 * what the gateway does.
 */

// ---------------------------------------------------------------------------------------------
// Shared shapes
// ---------------------------------------------------------------------------------------------

export interface BasisItem {
  kind: 'rule' | 'consent';
  rule?: string;
  consentId?: string;
  verdict?: 'permit' | 'deny';
  section?: string;
  text: string;
}

const BASIS_ITEM = {
  type: 'object',
  required: ['kind', 'text'],
  additionalProperties: false,
  properties: {
    kind: { enum: ['rule', 'consent'] },
    rule: {
      type: 'string',
      description: 'The rule id in portal-rules.md (M-n, A-n), or ECD, consent, gateway.',
    },
    consentId: { type: 'string' },
    verdict: { enum: ['permit', 'deny'] },
    section: { type: 'string' },
    text: { type: 'string' },
  },
} as const satisfies JsonSchema;

const SECTIONS = { type: 'array', items: { type: 'string' } } as const satisfies JsonSchema;

function basisOf(basis: readonly DecisionBasis[]): BasisItem[] {
  return basis.map((b) =>
    b.kind === 'rule'
      ? { kind: 'rule', rule: b.rule, text: b.text }
      : {
          kind: 'consent',
          consentId: b.consentId,
          verdict: b.verdict,
          section: b.section,
          text: `Consent/${b.consentId} ${b.verdict === 'permit' ? 'permits' : 'denies'} ${b.section}${b.note ? `: ${b.note}` : ''}`,
        },
  );
}

/** The client's facts for a caller of the client's organisation; another's is the same 404 as none. */
async function factsOfClient(
  context: OperationContext,
  patientId: string,
): Promise<{ facts: ClientFacts; name: string }> {
  const stored = await clientOfCaller(context, patientId);
  const facts = await context.services.engine.facts(`Patient/${patientId}`);
  if (facts === undefined || facts.organisationId !== context.caller.organisationId)
    throw new NotFound(`no client ${patientId}`, { code: 'ERR_ADMIN_NO_CLIENT' });
  return { facts, name: clientName(stored.content) };
}

/** Everyone of the client's portal: the client, then every relation on record (RelatedPerson). */
function peopleOf(facts: ClientFacts): string[] {
  return [...new Set([facts.patient, ...facts.relations.map((r) => r.reference)])];
}

function relationOf(facts: ClientFacts, person: string): RelationFacts | undefined {
  return facts.relations.find((r) => r.reference === person);
}

/** The person's relation to the client as staff name it: 'client', or the relation's role. */
function relationRole(facts: ClientFacts, person: string): string {
  return person === facts.patient ? 'client' : (relationOf(facts, person)?.role ?? 'other');
}

function activeOn(relation: RelationFacts, today: string): boolean {
  return (
    relation.active &&
    (relation.start === undefined || relation.start <= today) &&
    (relation.end === undefined || today <= relation.end)
  );
}

// ---------------------------------------------------------------------------------------------
// clientAccess
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// accessTimeline
// ---------------------------------------------------------------------------------------------

export interface TimelineCause {
  kind: ChangeCause['kind'];
  rule: string;
  text: string;
  age?: number;
  date?: string;
  person?: string;
  consentId?: string;
  suspensionId?: string;
}

export interface TimelineChange {
  at: string;
  day: string;
  causes: TimelineCause[];
  people: {
    reference: string;
    name?: string;
    relation: string;
    before: { allowed: boolean; accessRole: string; sections: string[] };
    after: { allowed: boolean; accessRole: string; sections: string[] };
    gains: string[];
    losses: string[];
    /** What changes, in one line. */
    summary: string;
    basis: BasisItem[];
  }[];
}

export interface AccessTimeline {
  patientId: string;
  from: string;
  until: string;
  changes: TimelineChange[];
}

const STATE = {
  type: 'object',
  required: ['allowed', 'accessRole', 'sections'],
  additionalProperties: false,
  properties: { allowed: { type: 'boolean' }, accessRole: { type: 'string' }, sections: SECTIONS },
} as const satisfies JsonSchema;

function causeOf(cause: ChangeCause): TimelineCause {
  switch (cause.kind) {
    case 'birthday':
      return { kind: cause.kind, rule: cause.rule, age: cause.age, text: `the client turns ${cause.age}` };
    case 'care-starts':
      return { kind: cause.kind, rule: cause.rule, date: cause.start, text: `care starts on ${cause.start}` };
    case 'portal-closes':
      return {
        kind: cause.kind,
        rule: cause.rule,
        date: cause.careEnd,
        text:
          cause.graceDays === 0
            ? `care ends on ${cause.careEnd}: the portal closes that day`
            : `care ends on ${cause.careEnd}: the portal closes after ${cause.graceDays} grace days`,
      };
    case 'death':
      return {
        kind: cause.kind,
        rule: cause.rule,
        date: cause.deceasedDate,
        text: `the client died on ${cause.deceasedDate}: the portal closes after ${cause.graceDays} grace days`,
      };
    case 'relation-starts':
    case 'relation-ends':
      return {
        kind: cause.kind,
        rule: cause.rule,
        date: cause.date,
        person: cause.relation,
        text: `${cause.relation}'s relation to the client ${cause.kind === 'relation-starts' ? 'starts on' : 'ends after'} ${cause.date}`,
      };
    case 'grant-starts':
    case 'grant-ends':
      return {
        kind: cause.kind,
        rule: cause.rule,
        consentId: cause.consentId,
        ...(cause.grantee ? { person: cause.grantee } : {}),
        text: `the period of Consent/${cause.consentId}${cause.grantee ? ` (for ${cause.grantee})` : ''} ${cause.kind === 'grant-starts' ? 'starts' : 'ends'}`,
      };
    case 'suspension-starts':
    case 'suspension-ends':
      return {
        kind: cause.kind,
        rule: cause.rule,
        suspensionId: cause.suspensionId,
        ...(cause.principal ? { person: cause.principal } : {}),
        text: `the suspension of ${cause.principal ?? "the client's whole portal"} ${cause.kind === 'suspension-starts' ? 'starts' : 'ends'}`,
      };
  }
}

function changeSummary(
  relation: string,
  gains: readonly string[],
  losses: readonly string[],
  after: ConsentDecision,
): string {
  const who = relation === 'client' ? 'the client' : `the ${relation}`;
  if (!after.permit && losses.length > 0) return `${who} loses access to all sections (${losses.join(', ')})`;
  const parts = [
    ...(gains.length > 0 ? [`gains ${gains.join(', ')}`] : []),
    ...(losses.length > 0 ? [`loses ${losses.join(', ')}`] : []),
  ];
  return parts.length > 0 ? `${who} ${parts.join(' and ')}` : `${who} becomes ${after.role}`;
}

/** The coming changes of a client's access, dated, and what each changes for whom. */
export const accessTimeline = defineOperation<{ patientId: string; days?: number }, AccessTimeline>({
  id: 'accessTimeline',
  method: 'get',
  path: '/clients/{patientId}/access-timeline',
  tag: 'insight',
  summary: "The coming changes of a client's access, dated, and what each changes for whom",
  description:
    "The moments in the coming days (365 unless told) at which access changes by itself: the 12th and 16th birthdays (A-8), the portal closing after care end or death and its grace days (M-4, A-11), relations starting or ending, grant periods and suspensions starting or ending. For each, the engine's decision for every person just before and from that moment; moments at which nothing changes are left out. Dates are Dutch calendar days; a dated change takes effect at midnight in Amsterdam.",
  roles: READERS,
  systemScope: 'system/Patient.rs',
  action: 'R',
  input: {
    type: 'object',
    required: ['patientId'],
    additionalProperties: false,
    properties: {
      patientId: SCHEMA.patientId,
      days: { type: 'integer', minimum: 1, maximum: 1830, default: 365, description: 'How many days ahead.' },
    },
  },
  output: {
    type: 'object',
    required: ['patientId', 'from', 'until', 'changes'],
    additionalProperties: false,
    properties: {
      patientId: { type: 'string' },
      from: SCHEMA.moment,
      until: SCHEMA.moment,
      changes: {
        type: 'array',
        items: {
          type: 'object',
          required: ['at', 'day', 'causes', 'people'],
          additionalProperties: false,
          properties: {
            at: SCHEMA.moment,
            day: SCHEMA.date,
            causes: {
              type: 'array',
              items: {
                type: 'object',
                required: ['kind', 'rule', 'text'],
                additionalProperties: false,
                properties: {
                  kind: { type: 'string' },
                  rule: { type: 'string' },
                  text: { type: 'string' },
                  age: { type: 'integer' },
                  date: { type: 'string' },
                  person: { type: 'string' },
                  consentId: { type: 'string' },
                  suspensionId: { type: 'string' },
                },
              },
            },
            people: {
              type: 'array',
              items: {
                type: 'object',
                required: ['reference', 'relation', 'before', 'after', 'gains', 'losses', 'summary', 'basis'],
                additionalProperties: false,
                properties: {
                  reference: { type: 'string' },
                  name: { type: 'string' },
                  relation: { type: 'string' },
                  before: STATE,
                  after: STATE,
                  gains: SECTIONS,
                  losses: SECTIONS,
                  summary: { type: 'string' },
                  basis: { type: 'array', items: BASIS_ITEM },
                },
              },
            },
          },
        },
      },
    },
  },
  command: {
    group: 'clients',
    name: 'timeline',
    print: (out) =>
      out.changes.length === 0
        ? `no changes of access until ${out.until}`
        : out.changes
            .flatMap((c) => [
              `${c.day}  ${c.causes.map((x) => `${x.rule}: ${x.text}`).join('; ')}`,
              ...c.people.map((p) => `    ${p.reference}${p.name ? ` (${p.name})` : ''}: ${p.summary}`),
            ])
            .join('\n'),
  },
  async run(context, input) {
    const { facts } = await factsOfClient(context, input.patientId);
    const from = context.now;
    const until = new Date(from.getTime() + (input.days ?? 365) * 86_400_000);
    const changes = accessChanges(context.services.engine, facts, peopleOf(facts), { from, until });
    return {
      patientId: input.patientId,
      from: from.toISOString(),
      until: until.toISOString(),
      changes: changes.map((change) => ({
        at: change.at.toISOString(),
        day: change.day,
        causes: change.causes.map(causeOf),
        people: change.changes.map((c) => {
          const relation = relationRole(facts, c.principal);
          const personName = facts.names?.[c.principal];
          return {
            reference: c.principal,
            ...(personName ? { name: personName } : {}),
            relation,
            before: { allowed: c.before.permit, accessRole: c.before.role, sections: [...c.before.sections] },
            after: { allowed: c.after.permit, accessRole: c.after.role, sections: [...c.after.sections] },
            gains: [...c.gains],
            losses: [...c.losses],
            summary: changeSummary(relation, c.gains, c.losses, c.decision),
            basis: basisOf(c.decision.basis),
          };
        }),
      })),
    };
  },
});

// ---------------------------------------------------------------------------------------------
// needsDecision
// ---------------------------------------------------------------------------------------------

export type DecisionKind =
  | 'capacity-assessment'
  | 'appoint-administrator'
  | 'two-parents-none-registered'
  | 'no-administrator'
  | 'register-representative';

export interface PendingDecision {
  patientId: string;
  name: string;
  birthDate?: string;
  age?: number;
  kind: DecisionKind;
  rule: string;
  /** What the organisation must decide, in words. */
  what: string;
  /** The engine's basis for it. */
  because: string;
  candidates: { reference: string; name?: string; relation: string }[];
}

export interface NeedsDecision {
  organisationId: string;
  /** How many current clients were looked at. */
  checked: number;
  /** True when there were more than `limit` items. */
  truncated: boolean;
  items: PendingDecision[];
}

/** Looks at one client: what the organisation must still decide, by the engine's rules. */
export function pendingDecisionsOf(
  context: OperationContext,
  facts: ClientFacts,
  name: string,
): PendingDecision[] {
  const { engine } = context.services;
  const preset = engine.presetOf(facts.organisationId);
  const at = context.now;
  const today = dutchDate(at);
  if (!facts.active || !portalOpen(facts, preset, today).open) return [];
  const age = facts.birthDate ? ageOn(facts.birthDate, today) : undefined;
  const base = {
    patientId: facts.patient.slice('Patient/'.length),
    name,
    ...(facts.birthDate ? { birthDate: facts.birthDate } : {}),
    ...(age !== undefined ? { age } : {}),
  };
  const person = (r: RelationFacts) => ({
    reference: r.reference,
    ...(facts.names?.[r.reference] ? { name: facts.names[r.reference] } : {}),
    relation: r.role === 'parent' && r.parentalAuthority ? 'parent with authority' : r.role,
  });
  const current = facts.relations.filter((r) => activeOn(r, today));
  const items: PendingDecision[] = [];
  if (preset.minors && age !== undefined && age >= 12 && age < 16 && facts.capacity === undefined) {
    items.push({
      ...base,
      kind: 'capacity-assessment',
      rule: 'A-8',
      what: `assess whether the client (${age}) is able to weigh their own interests: that decides whether the child or a parent is administrator`,
      because:
        preset.unassessedMinor === 'parent'
          ? 'no capacity assessment on record: until there is one, a parent with authority or the guardian is administrator'
          : 'no capacity assessment on record: until there is one, the child is presumed able and a parent needs the child’s consent',
      candidates: [],
    });
  }
  // A suspension is not a decision about who administers: it is left out of this question.
  const open = { ...facts, suspensions: [] };
  const decision = engine.decideWith(open, { principal: facts.patient, patient: facts.patient, at });
  const rules = decision.basis.filter(
    (b): b is Extract<DecisionBasis, { kind: 'rule' }> => b.kind === 'rule',
  );
  if (preset.model === 'portal-administrator') {
    if (decision.administrator !== undefined) return items;
    const deciding = rules.filter((b) => ['A-3', 'A-5', 'A-6', 'A-8'].includes(b.rule)).at(-1);
    if (deciding?.rule === 'A-3') {
      const representatives = current.filter((r) => preset.legalRepresentatives.includes(r.role));
      const tied =
        representatives.length > 1
          ? representatives
          : current.filter((r) => r.role === 'guardian' || (r.role === 'parent' && r.parentalAuthority));
      const parents = tied.length > 1 && tied.every((r) => r.role === 'parent');
      items.push({
        ...base,
        kind: parents ? 'two-parents-none-registered' : 'appoint-administrator',
        rule: 'A-3',
        what: parents
          ? 'register which parent with authority is the portal administrator'
          : 'appoint the portal administrator among those who could each be',
        because: deciding.text,
        candidates: tied.map(person),
      });
      return items;
    }
    items.push({
      ...base,
      kind: 'no-administrator',
      rule: deciding?.rule ?? 'A-3',
      what:
        deciding?.rule === 'A-5'
          ? 'the client cannot be administrator: ask the client whether the first contact person may be, and record the answer (or record a first contact person)'
          : deciding?.rule === 'A-8'
            ? 'the client is a minor without a parent with authority or a guardian on record: record who has authority'
            : 'nobody is portal administrator: decide who is',
      because: deciding?.text ?? 'the engine finds no administrator',
      candidates: current
        .filter((r) => r.role === 'first-contact-person' || r.role === 'guardian' || r.role === 'parent')
        .map(person),
    });
    return items;
  }
  // The first-contact-person model has no administrator; two legal representatives of equal rank
  // with none registered leave the client without anyone acting in the client's place (M-1).
  const representatives = current.filter((r) => preset.legalRepresentatives.includes(r.role));
  if (representatives.length > 1) {
    const acting = representatives.some(
      (r) =>
        engine.decideWith(open, { principal: r.reference, patient: facts.patient, at }).role ===
        'legal-representative',
    );
    if (!acting) {
      const why = rules.filter((b) => b.rule === 'M-1').at(-1);
      items.push({
        ...base,
        kind: 'register-representative',
        rule: 'M-1',
        what: 'register which legal representative acts in the client’s place',
        because: why?.text ?? 'several legal representatives, none registered',
        candidates: representatives.map(person),
      });
    }
  }
  return items;
}

/** What the organisation must still decide, over all its current clients. */
export const needsDecision = defineOperation<{ limit?: number }, NeedsDecision>({
  id: 'needsDecision',
  method: 'get',
  path: '/decisions',
  tag: 'insight',
  summary: 'What the organisation must still decide: capacity assessments, administrators, registrations',
  description:
    "One pass over the organisation's current clients: minors of 12 to 15 without a capacity assessment (A-8), clients without a portal administrator (A-3, A-5, A-8), two parents with authority of whom none is registered as administrator (A-3), several legal representatives of whom none is registered as acting for the client (M-1). Costs one read of the client ids, then per client its facts (three indexed reads, once; the engine keeps them until they change) and one engine evaluation; a client with several legal representatives under the first-contact-person model one more per representative.",
  roles: READERS,
  systemScope: 'system/Patient.rs',
  action: 'R',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 } },
  },
  output: {
    type: 'object',
    required: ['organisationId', 'checked', 'truncated', 'items'],
    additionalProperties: false,
    properties: {
      organisationId: { type: 'string' },
      checked: { type: 'integer' },
      truncated: { type: 'boolean' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['patientId', 'name', 'kind', 'rule', 'what', 'because', 'candidates'],
          additionalProperties: false,
          properties: {
            patientId: { type: 'string' },
            name: { type: 'string' },
            birthDate: { type: 'string' },
            age: { type: 'integer' },
            kind: {
              enum: [
                'capacity-assessment',
                'appoint-administrator',
                'two-parents-none-registered',
                'no-administrator',
                'register-representative',
              ],
            },
            rule: { type: 'string' },
            what: { type: 'string' },
            because: { type: 'string' },
            candidates: {
              type: 'array',
              items: {
                type: 'object',
                required: ['reference', 'relation'],
                additionalProperties: false,
                properties: {
                  reference: { type: 'string' },
                  name: { type: 'string' },
                  relation: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  },
  command: {
    group: 'clients',
    name: 'decisions',
    print: (out) =>
      [
        ...out.items.map((i) => `${i.patientId}\t${i.name}\t${i.rule}\t${i.what}`),
        `${out.items.length} to decide among ${out.checked} clients${out.truncated ? ' (more not shown)' : ''}`,
      ].join('\n'),
  },
  async run(context, input) {
    const limit = input.limit ?? 500;
    const { store, engine } = context.services;
    const organisationId = context.caller.organisationId;
    const ids = await patientIdsOfOrganisation(store, organisationId);
    const items: PendingDecision[] = [];
    let next = 0;
    // A few clients at a time: the facts reads overlap without flooding the pool.
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const facts = await engine.facts(`Patient/${id}` as PatientReference);
        if (!facts || facts.organisationId !== organisationId) continue;
        items.push(...pendingDecisionsOf(context, facts, facts.names?.[facts.patient] ?? id));
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, ids.length) }, worker));
    items.sort(
      (a, b) =>
        a.name.localeCompare(b.name, 'nl') ||
        a.patientId.localeCompare(b.patientId) ||
        a.kind.localeCompare(b.kind),
    );
    return {
      organisationId,
      checked: ids.length,
      truncated: items.length > limit,
      items: items.slice(0, limit),
    };
  },
});

// ---------------------------------------------------------------------------------------------
// clientAuditLog
// ---------------------------------------------------------------------------------------------

export interface ClientAuditRecord {
  id: string;
  recorded: string;
  kind: string;
  action: string;
  outcome: string;
  status?: number;
  interaction?: string;
  query?: string;
  actor: { account?: string; person?: string; name?: string; role?: string; onBehalfOf?: string };
  clientApp?: string;
  basis: { kind: string; ref: string; verdict?: string; section?: string; text?: string }[];
  reason?: string;
  /** The record as a FHIR AuditEvent (reviewer view), as /admin/audit/AuditEvent serves it. */
  auditEvent: Record<string, unknown>;
}

export interface ClientAuditLog {
  patientId: string;
  total: number;
  offset: number;
  records: ClientAuditRecord[];
}

/** A client's audit records, newest first, for the privacy officer (A-7, NEN 7513). */
export const clientAuditLog = defineOperation<
  { patientId: string; kind?: string; from?: string; to?: string; limit?: number; offset?: number },
  ClientAuditLog
>({
  id: 'clientAuditLog',
  method: 'get',
  path: '/clients/{patientId}/audit',
  tag: 'insight',
  summary: "A client's audit records, newest first: who read or changed what, on which basis",
  description:
    "The audit trail's records about one client of the caller's organisation (every FHIR read with its decision basis, logins, consent changes, suspensions, staff actions), newest first, each also as the FHIR AuditEvent of the reviewer view. Reading it is recorded too.",
  roles: READERS,
  systemScope: 'system/AuditEvent.rs',
  action: 'R',
  input: {
    type: 'object',
    required: ['patientId'],
    additionalProperties: false,
    properties: {
      patientId: SCHEMA.patientId,
      kind: { enum: [...AUDIT_EVENT_KINDS], description: 'Only records of this kind.' },
      from: { ...SCHEMA.moment, description: 'Recorded at or after.' },
      to: { ...SCHEMA.moment, description: 'Recorded before.' },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
    },
  },
  output: {
    type: 'object',
    required: ['patientId', 'total', 'offset', 'records'],
    additionalProperties: false,
    properties: {
      patientId: { type: 'string' },
      total: { type: 'integer' },
      offset: { type: 'integer' },
      records: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'recorded', 'kind', 'action', 'outcome', 'actor', 'basis', 'auditEvent'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            recorded: SCHEMA.moment,
            kind: { type: 'string' },
            action: { type: 'string' },
            outcome: { type: 'string' },
            status: { type: 'integer' },
            interaction: { type: 'string' },
            query: { type: 'string' },
            actor: {
              type: 'object',
              additionalProperties: false,
              properties: {
                account: { type: 'string' },
                person: { type: 'string' },
                name: { type: 'string' },
                role: { type: 'string' },
                onBehalfOf: { type: 'string' },
              },
            },
            clientApp: { type: 'string' },
            basis: {
              type: 'array',
              items: {
                type: 'object',
                required: ['kind', 'ref'],
                additionalProperties: false,
                properties: {
                  kind: { type: 'string' },
                  ref: { type: 'string' },
                  verdict: { type: 'string' },
                  section: { type: 'string' },
                  text: { type: 'string' },
                },
              },
            },
            reason: { type: 'string' },
            auditEvent: { type: 'object', description: 'FHIR R4 AuditEvent.' },
          },
        },
      },
    },
  },
  command: {
    group: 'clients',
    name: 'audit',
    print: (out) =>
      [
        ...out.records.map(
          (r) =>
            `${r.recorded}\t${r.kind}\t${r.outcome}\t${r.actor.name ?? r.actor.person ?? r.actor.account ?? ''}\t${r.interaction ?? ''} ${r.query ?? ''}`,
        ),
        `${out.records.length} of ${out.total} records`,
      ].join('\n'),
  },
  async run(context, input) {
    await clientOfCaller(context, input.patientId);
    const query = {
      patientId: input.patientId,
      ...(input.kind ? { kinds: [input.kind as AuditEventKind] } : {}),
      ...(input.from ? { from: new Date(input.from) } : {}),
      ...(input.to ? { to: new Date(input.to) } : {}),
    };
    const offset = input.offset ?? 0;
    const { store } = context.services;
    const [total, records] = await Promise.all([
      countAuditRecords(store, query),
      findAuditRecords(store, { ...query, newestFirst: true, limit: input.limit ?? 100, offset }),
    ]);
    return {
      patientId: input.patientId,
      total,
      offset,
      records: records.map(({ id, recorded, entry, ...rest }): ClientAuditRecord => {
        const actor = entry.actor ?? {};
        const reason = entry.detail?.reason;
        return {
          id,
          recorded: recorded.toISOString(),
          kind: entry.kind,
          action: entry.action,
          outcome: entry.outcome,
          ...(entry.status !== undefined ? { status: entry.status } : {}),
          ...(entry.interaction ? { interaction: entry.interaction } : {}),
          ...(entry.query ? { query: entry.query } : {}),
          actor: {
            ...(actor.account ? { account: actor.account } : {}),
            ...(actor.person ? { person: actor.person } : {}),
            ...(actor.name ? { name: actor.name } : {}),
            ...(actor.role ? { role: actor.role } : {}),
            ...(actor.onBehalfOf ? { onBehalfOf: actor.onBehalfOf } : {}),
          },
          ...(entry.clientApp ? { clientApp: entry.clientApp } : {}),
          basis: (entry.basis ?? []).map((b) => ({
            kind: b.kind,
            ref: b.ref,
            ...(b.verdict ? { verdict: b.verdict } : {}),
            ...(b.section ? { section: b.section } : {}),
            ...(b.text ? { text: b.text } : {}),
          })),
          ...(typeof reason === 'string' ? { reason } : {}),
          auditEvent: toAuditEvent({ id, recorded, entry, ...rest }, 'reviewer') as unknown as Record<
            string,
            unknown
          >,
        };
      }),
    };
  },
});

export const INSIGHT_OPERATIONS: readonly AnyAdminOperation[] = [
  clientAccess as AnyAdminOperation,
  accessTimeline as AnyAdminOperation,
  needsDecision as AnyAdminOperation,
  clientAuditLog as AnyAdminOperation,
];
