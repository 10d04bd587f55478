/** The coming changes of a client's access: the moments at which the engine's decision changes by itself. */
import { accessChanges, type ChangeCause, type ConsentDecision } from '../../../consent';
import { defineOperation, type JsonSchema } from '../../operation';
import { READERS } from '../../roles';
import { SCHEMA } from '../../schemas';
import type { BasisItem } from './shared';
import { BASIS_ITEM, SECTIONS, basisOf, factsOfClient, peopleOf, relationRole } from './shared';

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
