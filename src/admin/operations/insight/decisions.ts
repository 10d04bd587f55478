/** What the organisation must still decide (A-3, A-5, A-8, M-1), in one pass over its clients. */
import { ageOn, dutchDate } from '../../../calendar';
import { portalOpen, type ClientFacts, type DecisionBasis, type RelationFacts } from '../../../consent';
import { patientIdsOfOrganisation } from '../../../resources';
import type { PatientReference } from '../../../vocabulary';
import { defineOperation, type OperationContext } from '../../operation';
import { READERS } from '../../roles';
import { activeOn } from './shared';

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
