import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import type { AuditChecks } from '../audit';
import type { AccessDecision, PolicyEngine } from '../consent';
import type { FhirAuditEntry } from './audit-sink';
import type { Principal } from './request';

/**
 * The NEN 7513 part of a FHIR request's record that the request line does not give: who the user is
 * by name, in which role the engine decided they act, on whose behalf, which of the four checks held
 * and which authorisation protocol applied. Everything is taken from what step 4 already had: the
 * decision and the client's facts in the engine's cache (loaded for the decision), so recording it
 * costs no extra read of the database.
 */
type ClientFacts = NonNullable<Awaited<ReturnType<PolicyEngine['facts']>>>;

export type AuditActorFields = Pick<FhirAuditEntry, 'userName' | 'role' | 'onBehalfOf' | 'checks' | 'policy'>;

export interface AuditActorInput {
  readonly engine: PolicyEngine;
  readonly principal: Principal;
  readonly decision: AccessDecision | undefined;
  /** Whether step 3 (the scopes) let the request through. */
  readonly scopesPassed: boolean;
  /** The organisation's terms version in effect, by organisation id. */
  readonly termsVersionOf?: (organisationId: string) => string | undefined | Promise<string | undefined>;
}

/** The actor's fields of the record; a failure to read the facts leaves them out (never fails the record). */
export async function auditActorFields(input: AuditActorInput): Promise<AuditActorFields> {
  const { engine, principal, decision } = input;
  let facts: ClientFacts | undefined;
  try {
    facts = await engine.facts(principal.patient);
  } catch {
    facts = undefined;
  }
  const consentDecision = decision?.consentDecision;
  const name = facts?.names?.[principal.user];
  const role = consentDecision ? roleOf(consentDecision.role, facts, principal) : undefined;
  const onBehalfOf = decision ? onBehalfOfOf(decision, facts, principal) : undefined;
  const checks: AuditChecks = {
    authorisation: input.scopesPassed,
    careRelationship: consentDecision !== undefined && consentDecision.role !== 'none',
    consent:
      decision !== undefined &&
      decision.allowed &&
      decision.basis.some((b) => b.kind === 'consent' && b.verdict === 'permit'),
    breakGlass: false,
  };
  const policy = facts ? await policyOf(engine, facts.organisationId, input.termsVersionOf) : undefined;
  return {
    ...(name ? { userName: name } : {}),
    ...(role ? { role } : {}),
    ...(onBehalfOf ? { onBehalfOf } : {}),
    checks,
    ...(policy ? { policy } : {}),
  };
}

/**
 * The engine's role, with what qualifies it in parentheses: the relation's own role for a relative
 * or representative (`administrator (curator)`, `delegate (first-contact-person)`, `none (mentor)`);
 * for the client, `client`, or `client (administrator)` where the client is their own portal
 * administrator.
 */
function roleOf(engineRole: string, facts: ClientFacts | undefined, principal: Principal): string {
  if (principal.user === principal.patient)
    return engineRole === 'administrator' ? 'client (administrator)' : engineRole;
  const relation = facts?.relations.find((r) => r.reference === principal.user);
  return relation ? `${engineRole} (${relation.role})` : engineRole;
}

/**
 * NEN 7513's responsible user ("verantwoordelijke gebruiker"): nobody for the client themself; the
 * client for whoever acts in the client's place (the administrator, the legal representative, a
 * parent the child let look); for a relative who sees what was granted, the grantor of the Consent
 * (its performer) that permitted, else of an active grant that names them (a request of theirs that
 * was refused is still made under that grant).
 */
function onBehalfOfOf(
  decision: AccessDecision,
  facts: ClientFacts | undefined,
  principal: Principal,
): string | undefined {
  if (principal.user === principal.patient) return undefined;
  const role = decision.consentDecision.role;
  if (role === 'administrator' || role === 'legal-representative' || role === 'parent-with-consent')
    return principal.patient;
  // A delegate acts under a grant, also when this request was refused (a section not granted).
  if (role !== 'delegate' || !facts) return undefined;
  const permitting = decision.basis.flatMap((b) =>
    b.kind === 'consent' && b.verdict === 'permit' ? [b.consentId] : [],
  );
  const grant =
    facts.grants.find((c) => c.id !== undefined && permitting.includes(c.id)) ??
    facts.grants.find((c) => c.status === 'active' && actorsOf(c.provision).includes(principal.user));
  return grantorOf(grant);
}

function grantorOf(grant: Consent | undefined): string | undefined {
  const reference = grant?.performer?.find((p) => typeof p.reference === 'string')?.reference;
  return reference && /^(Patient|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/.test(reference)
    ? reference
    : undefined;
}

function actorsOf(provision: ConsentProvision | undefined): string[] {
  if (!provision) return [];
  return [
    ...(provision.actor ?? []).map((a) => a.reference?.reference ?? ''),
    ...(provision.provision ?? []).flatMap(actorsOf),
  ].filter((r) => r !== '');
}

/** NEN 7513's authorisation protocol: the preset and the terms version, `meerlanden-2026-01`. */
async function policyOf(
  engine: PolicyEngine,
  organisationId: string,
  termsVersionOf: AuditActorInput['termsVersionOf'],
): Promise<string | undefined> {
  let preset: string;
  try {
    preset = engine.presetOf(organisationId).id;
  } catch {
    return undefined;
  }
  let terms: string | undefined;
  try {
    terms = await termsVersionOf?.(organisationId);
  } catch {
    terms = undefined; // never fails the record: the preset alone still says which rules applied
  }
  return terms ? `${preset}-${terms}` : preset;
}
