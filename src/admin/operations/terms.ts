import {
  currentTermsVersion,
  publishTermsVersion,
  termsStandings,
  termsVersions,
  type TermsVersion,
} from '../../auth';
import { defineOperation, type OperationContext } from '../operation';
import { ACCESS_MANAGERS, READERS } from '../roles';
import { SCHEMA } from '../schemas';
import { clientOfCaller } from './client-scope';

/**
 * The terms (M-12, A-15): the organisation publishes a new version, now or from a later moment; the
 * next login on any instance asks for it, and a refresh is refused until a login accepted it. Who
 * accepted which version, who declined and who has not answered the current one yet.
 */

interface VersionOut {
  version: string;
  effectiveFrom: string;
  summary: string;
  publishedAt: string;
  publishedBy: string;
  inEffect: boolean;
  current: boolean;
}

const VERSION = {
  type: 'object',
  required: ['version', 'effectiveFrom', 'summary', 'publishedAt', 'publishedBy', 'inEffect', 'current'],
  additionalProperties: false,
  properties: {
    version: { type: 'string' },
    effectiveFrom: { type: 'string', format: 'date-time' },
    summary: { type: 'string' },
    publishedAt: { type: 'string', format: 'date-time' },
    publishedBy: { type: 'string' },
    inEffect: { type: 'boolean', description: 'Its effectiveFrom has come.' },
    current: { type: 'boolean', description: 'The version the next login asks for.' },
  },
} as const;

function versionOut(v: TermsVersion, now: Date, current: string): VersionOut {
  return {
    version: v.version,
    effectiveFrom: v.effectiveFrom.toISOString(),
    summary: v.summary,
    publishedAt: v.publishedAt.toISOString(),
    publishedBy: v.publishedBy,
    inEffect: v.effectiveFrom.getTime() <= now.getTime(),
    current: v.version === current,
  };
}

function configuredVersion(context: OperationContext): string | undefined {
  return context.services.config.organisations.find((o) => o.id === context.caller.organisationId)
    ?.termsVersion;
}

function callerName(context: OperationContext): string {
  return context.caller.kind === 'staff'
    ? `staff:${context.caller.staffId}`
    : `client:${context.caller.clientId}`;
}

/** Publish a new terms version for the caller's organisation. */
export const publishTerms = defineOperation<
  { version: string; effectiveFrom?: string; summary: string; reason: string },
  VersionOut
>({
  id: 'publishTerms',
  method: 'post',
  path: '/terms',
  tag: 'terms',
  summary: 'Publish a new terms version (M-12, A-15)',
  description:
    'From effectiveFrom (default: now) every login asks for this version, on every instance; a refresh ' +
    'is refused until a login accepted it, and whoever declines loses access. A version is published ' +
    'once; it takes effect after every version published before.',
  roles: ACCESS_MANAGERS,
  action: 'C',
  status: 201,
  input: {
    type: 'object',
    required: ['version', 'summary'],
    additionalProperties: false,
    properties: {
      version: {
        type: 'string',
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
        description: "The version's name, as the login page shows it: '2026-07'.",
      },
      effectiveFrom: {
        ...SCHEMA.moment,
        description: 'When it takes effect: now or later (default: now).',
      },
      summary: { type: 'string', minLength: 1, maxLength: 2000, description: 'What changed.' },
    },
  },
  output: VERSION,
  command: {
    group: 'terms',
    name: 'publish',
    print: (v) => `${v.version}\tfrom ${v.effectiveFrom}${v.inEffect ? '' : ' (scheduled)'}`,
  },
  async run(context, input) {
    const published = await publishTermsVersion(context.services.store, {
      organisationId: context.caller.organisationId,
      version: input.version,
      effectiveFrom: input.effectiveFrom ? new Date(input.effectiveFrom) : context.now,
      summary: input.summary,
      publishedBy: callerName(context),
      at: context.now,
    });
    const current = await currentTermsVersion(
      context.services.store,
      context.caller.organisationId,
      context.now,
      configuredVersion(context),
    );
    return versionOut(published, context.now, current);
  },
});

/** The published versions and the one in effect. */
export const listTermsVersions = defineOperation<
  Record<string, never>,
  { current: string; configured?: string; versions: VersionOut[] }
>({
  id: 'listTermsVersions',
  method: 'get',
  path: '/terms',
  tag: 'terms',
  summary: 'The published terms versions and the one in effect',
  roles: READERS,
  action: 'R',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    type: 'object',
    required: ['current', 'versions'],
    additionalProperties: false,
    properties: {
      current: { type: 'string', description: 'The version the next login asks for.' },
      configured: {
        type: 'string',
        description: 'organisations[].termsVersion: in effect while no published version is.',
      },
      versions: { type: 'array', items: VERSION },
    },
  },
  command: {
    group: 'terms',
    name: 'list',
    print: (out) =>
      [
        `current: ${out.current}`,
        ...out.versions.map(
          (v) =>
            `${v.version}\tfrom ${v.effectiveFrom}\t${v.current ? 'current' : v.inEffect ? 'replaced' : 'scheduled'}\t${v.summary}`,
        ),
      ].join('\n'),
  },
  async run(context) {
    const { store } = context.services;
    const organisationId = context.caller.organisationId;
    const configured = configuredVersion(context);
    const current = await currentTermsVersion(store, organisationId, context.now, configured);
    const versions = await termsVersions(store, organisationId);
    return {
      current,
      ...(configured ? { configured } : {}),
      versions: versions.map((v) => versionOut(v, context.now, current)),
    };
  },
});

type Standing = 'accepted' | 'declined' | 'not-answered';

interface AcceptanceOut {
  linkId: string;
  accountId: string;
  patientId: string;
  person: string;
  standing: Standing;
  lastAnswer?: { version: string; accepted: boolean; answeredAt: string };
  lastAccepted?: { version: string; answeredAt: string };
}

/** Who accepted which version, who declined, who has not answered the current one. */
export const termsAcceptances = defineOperation<
  { patientId?: string; standing?: Standing; limit?: number },
  {
    current: string;
    counts: Record<Standing, number>;
    links: AcceptanceOut[];
  }
>({
  id: 'termsAcceptances',
  method: 'get',
  path: '/terms/acceptances',
  tag: 'terms',
  summary: 'Per account link: accepted, declined or not yet answered the current terms',
  description:
    "Every current account link of the organisation (optionally one client's), with its last answer, " +
    'the newest version it accepted, and where it stands towards the version in effect: accepted, ' +
    'declined (access ended until a login accepts), or not-answered (the next login asks).',
  roles: READERS,
  action: 'R',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      patientId: SCHEMA.patientId,
      standing: { enum: ['accepted', 'declined', 'not-answered'] },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
    },
  },
  output: {
    type: 'object',
    required: ['current', 'counts', 'links'],
    additionalProperties: false,
    properties: {
      current: { type: 'string' },
      counts: {
        type: 'object',
        required: ['accepted', 'declined', 'not-answered'],
        additionalProperties: false,
        properties: {
          accepted: { type: 'integer' },
          declined: { type: 'integer' },
          'not-answered': { type: 'integer' },
        },
      },
      links: {
        type: 'array',
        items: {
          type: 'object',
          required: ['linkId', 'accountId', 'patientId', 'person', 'standing'],
          additionalProperties: false,
          properties: {
            linkId: { type: 'string' },
            accountId: { type: 'string' },
            patientId: { type: 'string' },
            person: { type: 'string' },
            standing: { enum: ['accepted', 'declined', 'not-answered'] },
            lastAnswer: {
              type: 'object',
              required: ['version', 'accepted', 'answeredAt'],
              additionalProperties: false,
              properties: {
                version: { type: 'string' },
                accepted: { type: 'boolean' },
                answeredAt: { type: 'string', format: 'date-time' },
              },
            },
            lastAccepted: {
              type: 'object',
              required: ['version', 'answeredAt'],
              additionalProperties: false,
              properties: {
                version: { type: 'string' },
                answeredAt: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
      },
    },
  },
  command: {
    group: 'terms',
    name: 'acceptances',
    print: (out) =>
      [
        `current: ${out.current}\taccepted ${out.counts.accepted}\tdeclined ${out.counts.declined}\tnot answered ${out.counts['not-answered']}`,
        ...out.links.map(
          (l) =>
            `${l.patientId}\t${l.person}\t${l.standing}\t${l.lastAccepted ? `accepted ${l.lastAccepted.version}` : 'never accepted'}`,
        ),
      ].join('\n'),
  },
  async run(context, input) {
    const { store } = context.services;
    const organisationId = context.caller.organisationId;
    if (input.patientId !== undefined) await clientOfCaller(context, input.patientId);
    const current = await currentTermsVersion(store, organisationId, context.now, configuredVersion(context));
    const standings = await termsStandings(store, organisationId, current, {
      ...(input.patientId ? { patient: `Patient/${input.patientId}` } : {}),
      limit: input.limit ?? 500,
    });
    const counts: Record<Standing, number> = { accepted: 0, declined: 0, 'not-answered': 0 };
    for (const s of standings) counts[s.standing] += 1;
    return {
      current,
      counts,
      links: standings
        .filter((s) => input.standing === undefined || s.standing === input.standing)
        .map((s) => ({
          linkId: s.linkId,
          accountId: s.accountId,
          patientId: s.patient.slice('Patient/'.length),
          person: s.person,
          standing: s.standing,
          ...(s.lastAnswer
            ? {
                lastAnswer: {
                  version: s.lastAnswer.version,
                  accepted: s.lastAnswer.accepted,
                  answeredAt: s.lastAnswer.answeredAt.toISOString(),
                },
              }
            : {}),
          ...(s.lastAccepted
            ? {
                lastAccepted: {
                  version: s.lastAccepted.version,
                  answeredAt: s.lastAccepted.answeredAt.toISOString(),
                },
              }
            : {}),
        })),
    };
  },
});

export const TERMS_OPERATIONS = [publishTerms, listTermsVersions, termsAcceptances];
