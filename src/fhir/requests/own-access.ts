import type { Consent, ConsentProvision, Resource, Task } from '@medplum/fhirtypes';
import {
  AccessDenied,
  UnsafeQuery,
  type AccessDecision,
  type AccessRequest,
  type ConsentDecision,
  type DecisionBasis,
  type DecisionEnforcement,
  type FhirSearch,
  type Judgement,
  type PolicyEngine,
  type SearchParameter,
} from '../../consent';
import type { PatientReference } from '../../vocabulary';
import type { Principal } from '../request';

/**
 * Who may read a client's Consents and Tasks. Neither is in a portal section (they are not the
 * dossier: they say who may see it, and what the client asked of the organisation), so the consent
 * engine grants them to nobody; the gateway's own rule, here, decides on the engine's standing of
 * the caller (`engine.decide`):
 *
 * - Nothing at all unless the caller has access to the client's dossier now (the decision permits
 *   some section): a closed portal, an ended relation, a withdrawn grant shows none of them.
 * - The **steward** of the client's portal sees all of the client's Consents and Tasks: the client
 *   where nobody else is administrator (M-1, A-4), the legal representative who counts as the client
 *   (M-1), the portal administrator. They are the ones who grant, withdraw and ask in the
 *   client's name, so they must see what was granted and asked.
 * - Anyone else (a first contact person, a delegate, a parent with the child's consent, the client
 *   under an administrator) sees only the Consents that name them as `provision.actor` (what they
 *   were granted) and the Tasks they filed themselves (`requester`): never the grants of others, nor
 *   what another relative asked.
 *
 * Everything else gets the one 404 of a missing resource, and is left out of searches.
 */
export const OWN_ACCESS_TYPES: ReadonlySet<string> = new Set(['Consent', 'Task']);

/** Where the caller stands towards the client's Consents and Tasks. */
export type OwnStanding = 'steward' | 'party' | 'none';

/** The AccessDecision of a Consent or Task request, with what the request channel needs besides. */
export interface OwnAccessDecision extends AccessDecision {
  readonly own: {
    readonly standing: OwnStanding;
    /** The engine that decided, for a grant or withdrawal (which decides again on fresh facts). */
    readonly engine: PolicyEngine;
    /** The client's organisation's decision for a read of another resource (a Task's focus). */
    checkRead(resourceType: string, id: string): Promise<AccessDecision>;
  };
}

export function isOwnAccessDecision(decision: AccessDecision): decision is OwnAccessDecision {
  return typeof (decision as Partial<OwnAccessDecision>).own === 'object';
}

/** The standing of a decision: steward, party, or none (no access to the dossier at all). */
export function standingOf(decision: ConsentDecision): OwnStanding {
  if (!decision.permit) return 'none';
  if (decision.role === 'administrator' || decision.role === 'legal-representative') return 'steward';
  // The client is steward unless someone else is the portal administrator (Amerpoort, A-5/A-6/A-8).
  if (decision.role === 'client' && (decision.administrator ?? decision.patient) === decision.patient)
    return 'steward';
  return 'party';
}

/** The decision of step 4 for a Consent or Task request. */
export async function ownAccessDecision(
  engine: PolicyEngine,
  principal: Principal,
  request: AccessRequest,
): Promise<OwnAccessDecision> {
  const consentDecision = await engine.decide({
    principal: principal.user,
    patient: principal.patient,
    at: request.at,
  });
  const standing = standingOf(consentDecision);
  const readable =
    request.interaction === 'read' ||
    request.interaction === 'search' ||
    request.interaction === 'vread' ||
    request.interaction === 'history';
  // Writes: a request (Task create), a grant (Consent create) and its withdrawal (Consent delete);
  // which of them the caller may make, the interaction and the engine decide.
  const allowed =
    standing !== 'none' && (readable || request.interaction === 'create' || request.interaction === 'delete');
  const rule: DecisionBasis = {
    kind: 'rule',
    rule: 'gateway',
    text:
      standing === 'steward'
        ? `the ${consentDecision.role} sees every Consent and Task of the client`
        : standing === 'party'
          ? 'sees the Consents that name them and the requests they filed'
          : 'no access to the dossier: no Consents or Tasks either',
  };
  const enforcement = (patient: PatientReference): DecisionEnforcement => ({
    narrow(search: FhirSearch): FhirSearch {
      if (!allowed) throw new AccessDenied(`${rule.text} (${consentDecision.role})`);
      return narrowOwn(search, patient);
    },
    judge(resource: Resource): Judgement {
      if (!allowed) return { show: false, reason: rule.text };
      return judgeOwn(resource, patient, principal, standing);
    },
  });
  const own = enforcement(principal.patient);
  return Object.freeze({
    allowed,
    extent: allowed ? 'all' : 'none',
    principal: { user: principal.user, patient: principal.patient, clientApp: principal.clientApp },
    request,
    at: request.at.toISOString(),
    requested: [],
    sections: [],
    basis: [...consentDecision.basis, rule],
    obligations: [],
    consentDecision,
    narrow: own.narrow,
    judge: own.judge,
    inCompartmentOf(patient: PatientReference): DecisionEnforcement {
      // Consents and Tasks are the gateway's own, in its own ids: no other reference of the client.
      if (patient !== principal.patient)
        throw new AccessDenied('Consents and Tasks are held by the gateway, in its own ids');
      return own;
    },
    own: Object.freeze({
      standing,
      engine,
      checkRead: (resourceType: string, id: string) => {
        const read: AccessRequest = { interaction: 'read', resourceType, id, parameters: [], at: request.at };
        if (OWN_ACCESS_TYPES.has(resourceType)) return ownAccessDecision(engine, principal, read);
        return engine.check(
          { user: principal.user, patient: principal.patient, clientApp: principal.clientApp },
          read,
        );
      },
    }),
  });
}

function judgeOwn(
  resource: Resource,
  patient: PatientReference,
  principal: Principal,
  standing: OwnStanding,
): Judgement {
  if (resource.resourceType === 'Consent') {
    const consent = resource as Consent;
    if (consent.patient?.reference !== patient) return { show: false, reason: "not the client's Consent" };
    if (standing === 'steward') return { show: true, resource };
    if (actorsOf(consent.provision).includes(principal.user)) return { show: true, resource };
    return { show: false, reason: 'a Consent that does not name the caller' };
  }
  if (resource.resourceType === 'Task') {
    const task = resource as Task;
    if (task.for?.reference !== patient) return { show: false, reason: 'not a request about the client' };
    if (standing === 'steward') return { show: true, resource };
    if (task.requester?.reference === principal.user) return { show: true, resource };
    return { show: false, reason: "someone else's request" };
  }
  return { show: false, reason: `${resource.resourceType} is not read under this rule` };
}

/** Every actor a provision names, nested provisions included. */
function actorsOf(provision: ConsentProvision | undefined): string[] {
  if (!provision) return [];
  return [
    ...(provision.actor ?? []).map((a) => a.reference?.reference ?? ''),
    ...(provision.provision ?? []).flatMap(actorsOf),
  ].filter((r) => r !== '');
}

/** Parameters a search of Consents or Tasks may use; `patient` ones must be the patient in context. */
const SEARCHABLE: Readonly<Record<string, Readonly<Record<string, 'patient' | 'plain'>>>> = {
  Consent: {
    patient: 'patient',
    actor: 'plain',
    consentor: 'plain',
    category: 'plain',
    status: 'plain',
    scope: 'plain',
    date: 'plain',
    period: 'plain',
    identifier: 'plain',
  },
  Task: {
    patient: 'patient',
    subject: 'patient',
    requester: 'plain',
    owner: 'plain',
    focus: 'plain',
    status: 'plain',
    intent: 'plain',
    code: 'plain',
    'business-status': 'plain',
    'authored-on': 'plain',
    modified: 'plain',
    identifier: 'plain',
  },
};
const RESULT_PARAMETERS = new Set(['_id', '_lastUpdated']);

/**
 * The search as the gateway's store answers it (only the client's own resources are candidates,
 * and each is judged); refused when a parameter names another patient or cannot be answered
 * (a modifier, a chain, `_include`, `_has`, …): never silently dropped.
 */
function narrowOwn(search: FhirSearch, patient: PatientReference): FhirSearch {
  const known = SEARCHABLE[search.resourceType];
  if (!known) throw new UnsafeQuery(search.resourceType, 'not a type of this rule');
  for (const parameter of search.parameters) checkParameter(parameter, known, patient);
  return search;
}

function checkParameter(
  parameter: SearchParameter,
  known: Readonly<Record<string, 'patient' | 'plain'>>,
  patient: PatientReference,
): void {
  const name = parameter.modifier === undefined ? parameter.name : `${parameter.name}:${parameter.modifier}`;
  if (parameter.modifier !== undefined || parameter.name.includes('.'))
    throw new UnsafeQuery(name, 'modifiers and chains are not supported on Consent and Task');
  if (RESULT_PARAMETERS.has(parameter.name)) return;
  const kind = Object.hasOwn(known, parameter.name) ? known[parameter.name] : undefined;
  if (!kind) throw new UnsafeQuery(name, 'not a supported search parameter of this type');
  if (kind === 'patient') {
    const id = patient.slice('Patient/'.length);
    const others = parameter.value.split(',').filter((v) => v !== patient && v !== id);
    if (others.length > 0) throw new UnsafeQuery(name, 'only the patient in context can be searched');
  }
}

/**
 * Relatives and representatives are people too: the contact details of one relation (an e-mail
 * address, a mobile number) are not another relation's to read. Whoever the basic details are
 * shown to sees all of the client's RelatedPersons only as the client's steward; anyone else sees
 * their own RelatedPerson (their `fhirUser`) and no other.
 */
export function withRelationPrivacy(decision: AccessDecision, principal: Principal): AccessDecision {
  if (!decision.allowed || standingOf(decision.consentDecision) === 'steward') return decision;
  const guard =
    (judge: (resource: Resource) => Judgement) =>
    (resource: Resource): Judgement =>
      resource?.resourceType === 'RelatedPerson' && `RelatedPerson/${String(resource.id)}` !== principal.user
        ? { show: false, reason: "another relation's details are shown to the steward only" }
        : judge(resource);
  return Object.freeze({
    ...decision,
    judge: guard((r) => decision.judge(r)),
    inCompartmentOf(patient: PatientReference) {
      const bound = decision.inCompartmentOf(patient);
      return Object.freeze({ narrow: bound.narrow, judge: guard(bound.judge) });
    },
  });
}
