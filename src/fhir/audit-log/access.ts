import type { AuditEvent, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import {
  AccessDenied,
  type AccessDecision,
  type AccessRequest,
  type DecisionBasis,
  type DecisionEnforcement,
  type FhirSearch,
  type Judgement,
  type PolicyEngine,
} from '../../consent';
import { INZAGE_CANONICAL, type PatientReference } from '../../vocabulary';
import type { Principal } from '../request';
import { standingOf } from '../requests/own-access';
import { logSearchOf } from './search';

/**
 * Who reads a client's access log (AuditEvent): who looked at the dossier, when, in which role, on
 * whose behalf and what they saw. AuditEvent is in no portal section (it is not the dossier: it is
 * about the people who read it), so the consent engine grants it to nobody; this rule, on the
 * engine's standing of the caller (`engine.decide`, as own-access.ts for Consent and Task), decides:
 *
 * - The **steward** of the client reads every AuditEvent of the client: the client where nobody
 *   else is portal administrator (M-1, A-4), the legal representative who counts as the client (a
 *   curator, mentor or guardian, M-1; a parent with authority of a child under 12, A-8), the portal
 *   administrator. The log is the client's, to check who looked; whoever acts in the
 *   client's place checks it for them.
 * - Anyone else (a first contact person, a delegate, a parent the child let look, the client under
 *   an administrator, someone without access) reads none: an empty searchset, and a read is the
 *   one 404 of the API. Their own reads are in the client's log, not a log of their own.
 *
 * Only records whose client is the patient in context are candidates (the audit trail is queried by
 * the client's gateway id), and each rendered AuditEvent is judged again: it must name exactly this
 * client as its patient. A record without a patient, or of another patient, is never served, even
 * when it mentions this client's resources.
 */
export const AUDIT_LOG_TYPE = 'AuditEvent';

/** The interactions the access log answers; any other is 405 (the log is written by the gateway alone). */
export const AUDIT_LOG_INTERACTIONS: ReadonlySet<string> = new Set(['read', 'search']);

const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

/**
 * What an empty searchset of the log says to someone who is not the client's steward, so that a
 * portal app can tell "you may not read this log" from "nothing was recorded": an OperationOutcome
 * entry (search mode `outcome`). It tells the caller only about their own standing, which they know.
 */
export const NOT_THE_STEWARD: BundleEntry = Object.freeze({
  resource: {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'information',
        code: 'suppressed',
        details: {
          coding: [{ system: `${INZAGE_CANONICAL}/CodeSystem/audit-log`, code: 'not-the-steward' }],
          text: "only the client, or whoever acts in the client's place, reads the client's access log",
        },
      },
    ],
  } satisfies OperationOutcome,
  search: { mode: 'outcome' as const },
});

/** The decision of step 4 for an AuditEvent request. */
export async function auditLogDecision(
  engine: PolicyEngine,
  principal: Principal,
  request: AccessRequest,
): Promise<AccessDecision> {
  const consentDecision = await engine.decide({
    principal: principal.user,
    patient: principal.patient,
    at: request.at,
  });
  const steward = standingOf(consentDecision) === 'steward';
  const allowed = steward && AUDIT_LOG_INTERACTIONS.has(request.interaction);
  const rule: DecisionBasis = {
    kind: 'rule',
    rule: 'gateway',
    text: steward
      ? `the ${consentDecision.role} reads the client's access log`
      : "only the client, or whoever acts in the client's place, reads the client's access log",
  };
  const enforcement: DecisionEnforcement = {
    narrow(search: FhirSearch): FhirSearch {
      if (!allowed) throw new AccessDenied(`${rule.text} (${consentDecision.role})`);
      logSearchOf(search.parameters, principal.patient);
      return search;
    },
    judge(resource: Resource): Judgement {
      if (!allowed) return { show: false, reason: rule.text };
      return judgeEvent(resource, principal.patient);
    },
  };
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
    narrow: enforcement.narrow,
    judge: enforcement.judge,
    inCompartmentOf(): DecisionEnforcement {
      // The log is the gateway's own, in its own ids: never read in the upstream's.
      throw new AccessDenied('the access log is held by the gateway, in its own ids');
    },
  });
}

/** An AuditEvent is the client's when it names exactly this client as its patient, and no other. */
function judgeEvent(resource: Resource, patient: PatientReference): Judgement {
  if (resource.resourceType !== AUDIT_LOG_TYPE)
    return { show: false, reason: `${resource.resourceType} is not read under this rule` };
  const patients = ((resource as AuditEvent).entity ?? [])
    .filter((e) => e.role?.system === OBJECT_ROLE && e.role.code === '1')
    .map((e) => e.what?.reference);
  if (patients.length !== 1 || patients[0] !== patient)
    return { show: false, reason: "not an event of the client's dossier" };
  return { show: true, resource };
}
