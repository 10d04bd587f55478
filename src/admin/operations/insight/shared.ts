import { type ClientFacts, type DecisionBasis, type RelationFacts } from '../../../consent';
import { NotFound } from '../../../errors';
import { type JsonSchema, type OperationContext } from '../../operation';
import { clientName, clientOfCaller } from '../client-scope';

/** Shapes and helpers the insight operations share. */
export interface BasisItem {
  kind: 'rule' | 'consent';
  rule?: string;
  consentId?: string;
  verdict?: 'permit' | 'deny';
  section?: string;
  text: string;
}

export const BASIS_ITEM = {
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

export const SECTIONS = { type: 'array', items: { type: 'string' } } as const satisfies JsonSchema;

export function basisOf(basis: readonly DecisionBasis[]): BasisItem[] {
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
export async function factsOfClient(
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
export function peopleOf(facts: ClientFacts): string[] {
  return [...new Set([facts.patient, ...facts.relations.map((r) => r.reference)])];
}

export function relationOf(facts: ClientFacts, person: string): RelationFacts | undefined {
  return facts.relations.find((r) => r.reference === person);
}

/** The person's relation to the client as staff name it: 'client', or the relation's role. */
export function relationRole(facts: ClientFacts, person: string): string {
  return person === facts.patient ? 'client' : (relationOf(facts, person)?.role ?? 'other');
}

export function activeOn(relation: RelationFacts, today: string): boolean {
  return (
    relation.active &&
    (relation.start === undefined || relation.start <= today) &&
    (relation.end === undefined || today <= relation.end)
  );
}
