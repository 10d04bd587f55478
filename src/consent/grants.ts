import { randomUUID } from 'node:crypto';
import type { Consent } from '@medplum/fhirtypes';
import { dutchDate } from '../calendar';
import { InvalidInput } from '../errors';
import { readResource, writeResources } from '../resources';
import type { Store } from '../store';
import {
  CODE_SYSTEM,
  PORTAL_CONSENT,
  PORTAL_CONSENT_TYPE_DISPLAY,
  PROFILE,
  isPersonReference,
  isPortalSection,
  parsePatientReference,
  parsePersonReference,
  personActor,
  type ParsedReference,
  type PersonReference,
  type PortalSection,
} from '../vocabulary';
import type { ConsentChangeJournal } from './change-journal';
import { changeClientFacts } from './client-change';
import type { PolicyEngine } from './engine';
import { GrantNotFound, GrantNotWithdrawable, GrantRefused, UnknownClient } from './errors';
import { hasConsentType } from './facts';
import { assessStanding } from './organisation';
import type { PolicyPreset } from './preset';

export interface GrantRequest {
  /** Who grants ('Patient/<id>' or 'RelatedPerson/<id>'): the client's administrator now, or the client or legal representative (M-2). */
  by: string;
  /** 'Patient/<id>': whose dossier. */
  patient: string;
  /** 'RelatedPerson/<id>' of the client, or the client ('Patient/<id>') when someone else is administrator. */
  grantee: string;
  sections: readonly PortalSection[];
  /** When the grant is given and recorded; now when absent. */
  at?: Date;
}

export interface WithdrawalRequest {
  /** Who withdraws: someone who may grant now (see GrantRequest.by). */
  by: string;
  /** 'Patient/<id>': whose dossier. */
  patient: string;
  /** The id of the grant's Consent. */
  consentId: string;
  /** When the grant ends and the withdrawal is recorded; now when absent. */
  at?: Date;
}

/** `meta.source` of what the gateway writes itself. */
const ENGINE_SOURCE = 'inzage:engine';

/**
 * Grants a relation access to sections of a client's dossier, as a Consent written through the engine.
 * Refused unless `by` may grant at this moment: the administrator (Amerpoort), or the client or
 * legal representative (Meerlanden). Takes effect on the next request on every instance. The
 * journal records the grant in the same transaction: no grant without its record.
 */
export async function grantAccess(
  engine: PolicyEngine,
  store: Store,
  request: GrantRequest,
  journal?: ConsentChangeJournal,
): Promise<Consent & { id: string }> {
  const at = request.at ?? new Date();
  const by = parsePersonReference(request.by).reference;
  const patient = parsePatientReference(request.patient);
  const grantee = parsePersonReference(request.grantee).reference;
  const sections = checkedSections(request.sections);
  const { preset, organisationId } = await checkGrantor(engine, by, patient, at);
  const facts = await engine.facts(patient.reference);
  if (grantee === patient.reference) {
    // A-3 with: an administrator who is not the client may admit the client to sections.
    if (preset.model !== 'portal-administrator')
      throw new GrantRefused(`under the ${preset.id} rules the client is not granted access by others`);
  } else {
    const relation = facts?.relations.find((r) => r.reference === grantee);
    if (!relation || !relation.active)
      throw new GrantRefused(`${grantee} is not a current relation of this client`);
    if (preset.excludedRoles.includes(relation.role) || !preset.delegableRoles.includes(relation.role)) {
      throw new GrantRefused(`a ${relation.role} cannot be given access under the ${preset.id} rules`);
    }
  }
  const consent = portalGrant({ by, patient: patient.reference, grantee, sections, organisationId, at });
  return changeClientFacts(engine, store, async (tx, announce) => {
    const [stored] = await writeResources(
      tx,
      [{ resource: consent, organisationId, patientId: patient.id, source: 'engine', basedOn: 0 }],
      personActor(by),
      at,
    );
    await announce(patient.reference);
    await journal?.(tx, {
      kind: 'grant',
      patient: patient.reference,
      organisationId,
      at,
      by: personActor(by),
      consent: { id: consent.id, versionId: stored!.versionId },
      subject: grantee,
      sections,
      rule: grantingRule(preset),
      period: { start: at },
    });
    return stored!.content as Consent & { id: string };
  });
}

/**
 * Withdraws a grant the gateway wrote: the Consent becomes inactive and its period ends at `at`; its
 * history stays. A grant recorded in the ECD is withdrawn in the ECD (M-3), and arrives with its sync.
 * The journal records the withdrawal in the same transaction.
 */
export async function withdrawAccess(
  engine: PolicyEngine,
  store: Store,
  request: WithdrawalRequest,
  journal?: ConsentChangeJournal,
): Promise<Consent> {
  const at = request.at ?? new Date();
  const by = parsePersonReference(request.by).reference;
  const patient = parsePatientReference(request.patient);
  const { preset, organisationId } = await checkGrantor(engine, by, patient, at);
  return changeClientFacts(engine, store, async (tx, announce) => {
    const stored = await readResource<Consent>(tx, 'Consent', request.consentId);
    if (!stored || stored.patientId !== patient.id || !hasConsentType(stored.content, 'portal-access'))
      throw new GrantNotFound(request.consentId);
    if (stored.source !== 'engine')
      throw new GrantNotWithdrawable(
        `Consent/${request.consentId} is recorded in the ECD: its withdrawal is recorded there and takes effect with the next sync`,
      );
    if (stored.content.status !== 'active')
      throw new GrantNotWithdrawable(`Consent/${request.consentId} was withdrawn already`);
    const moment = at.toISOString();
    const ended: Consent & { id: string } = {
      ...stored.content,
      status: 'inactive',
      provision: {
        ...stored.content.provision,
        period: { ...stored.content.provision?.period, end: moment },
      },
    };
    const [written] = await writeResources(
      tx,
      [
        {
          resource: ended,
          organisationId,
          patientId: patient.id,
          source: 'engine',
          endedAt: at,
          basedOn: stored.versionId,
        },
      ],
      personActor(by),
      at,
    );
    await announce(patient.reference);
    const grantee = stored.content.provision?.actor?.[0]?.reference?.reference;
    const start = stored.content.provision?.period?.start;
    await journal?.(tx, {
      kind: 'withdrawal',
      patient: patient.reference,
      organisationId,
      at,
      by: personActor(by),
      consent: { id: request.consentId, versionId: written!.versionId },
      ...(grantee && isPersonReference(grantee) ? { subject: grantee } : {}),
      rule: grantingRule(preset),
      period: { ...(start ? { start: new Date(start) } : {}), end: at },
    });
    return written!.content as Consent;
  });
}

/** The rule that lets `by` grant and withdraw: the administrator or the client or representative (M-2). */
function grantingRule(preset: PolicyPreset): string {
  return preset.model === 'portal-administrator' ? 'A-3' : 'M-2';
}

function checkedSections(sections: readonly unknown[]): PortalSection[] {
  if (sections.length === 0) throw new InvalidInput('a grant names at least one section');
  const unknown = sections.filter((s) => !isPortalSection(s));
  if (unknown.length > 0)
    throw new InvalidInput(`not a portal section: ${unknown.map((s) => JSON.stringify(s)).join(', ')}`);
  return [...new Set(sections as PortalSection[])];
}

/** A portal-access Consent as the profile inzage-portal-access-consent describes it. */
function portalGrant(parts: {
  by: PersonReference;
  patient: string;
  grantee: PersonReference;
  sections: readonly PortalSection[];
  organisationId: string;
  at: Date;
}): Consent & { id: string } {
  const moment = parts.at.toISOString();
  return {
    resourceType: 'Consent',
    id: `grant-${randomUUID()}`,
    meta: { profile: [PROFILE.portalAccessConsent], source: ENGINE_SOURCE },
    status: 'active',
    scope: { coding: [{ ...PORTAL_CONSENT.scope }] },
    category: [
      { coding: [{ ...PORTAL_CONSENT.loincCategory }] },
      {
        coding: [
          {
            system: CODE_SYSTEM.portalConsentType,
            code: 'portal-access',
            display: PORTAL_CONSENT_TYPE_DISPLAY['portal-access'],
          },
        ],
      },
    ],
    patient: { reference: parts.patient },
    dateTime: moment,
    performer: [{ reference: parts.by }],
    organization: [{ reference: `Organization/${parts.organisationId}` }],
    policyRule: { coding: [{ ...PORTAL_CONSENT.optIn }] },
    provision: {
      type: 'permit',
      period: { start: moment },
      actor: [
        { role: { coding: [{ ...PORTAL_CONSENT.recipientRole }] }, reference: { reference: parts.grantee } },
      ],
      code: parts.sections.map((section) => ({
        coding: [{ system: CODE_SYSTEM.portalSection, code: section }],
      })),
    },
  };
}

async function checkGrantor(
  engine: PolicyEngine,
  by: PersonReference,
  patient: ParsedReference<'Patient'>,
  at: Date,
): Promise<{ preset: PolicyPreset; organisationId: string }> {
  // Decide on fresh facts: a grant must never rest on an administrator who was replaced a moment ago.
  engine.invalidate(patient.reference);
  const facts = await engine.facts(patient.reference);
  if (!facts) throw new UnknownClient(patient.reference);
  const preset = engine.presetOf(facts.organisationId);
  const standing = assessStanding(facts, by, preset, dutchDate(at));
  const allowed =
    standing.access === 'full' &&
    (preset.model === 'portal-administrator'
      ? standing.role === 'administrator'
      : standing.grantors.includes(by));
  if (!allowed) {
    throw new GrantRefused(
      preset.model === 'portal-administrator'
        ? `${by} is not the portal administrator of this client now (A-3)`
        : `${by} may not authorise others for this client: only the client or their legal representative may (M-2)`,
    );
  }
  return { preset, organisationId: facts.organisationId };
}
