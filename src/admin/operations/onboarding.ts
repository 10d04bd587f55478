import type { RelatedPerson } from '@medplum/fhirtypes';
import {
  LINK_CODE_VALID_DAYS,
  issueLinkCode as issueCode,
  linkCodeById,
  linkCodesOfPatient,
  revokeLinkCode as revokeCode,
  type LinkCodeRecord,
} from '../../auth';
import { dutchDate } from '../../calendar';
import { administratorOptions, recordClientAgreement, type AdministratorSituation } from '../../consent';
import {
  administratorChoiceOf,
  auditJournal,
  chooseAdministrator,
  ecdAdministratorRegistrationsOf,
} from '../../ecd';
import { Conflict, InvalidInput, NotFound, Unavailable } from '../../errors';
import { readResource } from '../../resources';
import {
  parsePersonReference,
  type Actor,
  type PersonReference,
  type RelatedPersonReference,
} from '../../vocabulary';
import type { AdminCaller } from '../caller';
import { defineOperation, type AnyAdminOperation, type OperationContext } from '../operation';
import { ACCESS_MANAGERS, HELPERS, READERS } from '../roles';
import { SCHEMA } from '../schemas';
import { staffById } from '../staff';
import { clientName, clientOfCaller } from './client-scope';

/**
 * Onboarding (issue 12, item 3): link codes (A-9: "the organisation hands out a manual and a link
 * code") and the choice of the portal administrator where the rules leave one (A-3 with,
 * The code is shown once, in the answer of issueLinkCode; only its keyed hash is stored
 * (src/auth), and neither the audit record nor any listing carries it.
 */

function actorOf(caller: AdminCaller): Actor {
  return caller.kind === 'staff'
    ? { kind: 'staff', account: caller.staffId }
    : { kind: 'system', component: `admin-client.${caller.clientId.replace(/[^A-Za-z0-9._@-]/g, '_')}` };
}

function displayName(names: RelatedPerson['name']): string | undefined {
  const name = names?.find((n) => n.use === 'usual' || n.use === 'official') ?? names?.[0];
  const text = name?.text ?? [...(name?.given ?? []), name?.family].filter(Boolean).join(' ');
  return text || undefined;
}

/** The person, if they are the client or a current relation of theirs; else the same NotFound. */
async function personOfClient(
  context: OperationContext,
  patientId: string,
  person: string,
): Promise<{ reference: PersonReference; name: string; role: 'client' | 'relation' }> {
  const parsed = parsePersonReference(person);
  if (parsed.resourceType === 'Patient') {
    if (parsed.id !== patientId)
      throw new NotFound(`${person} is not this client`, { code: 'ERR_ADMIN_NO_PERSON' });
    const client = await clientOfCaller(context, patientId);
    return { reference: parsed.reference, name: clientName(client.content), role: 'client' };
  }
  const stored = await readResource<RelatedPerson>(context.services.store, 'RelatedPerson', parsed.id);
  if (
    stored === undefined ||
    stored.patientId !== patientId ||
    stored.organisationId !== context.caller.organisationId ||
    stored.endedAt !== null ||
    stored.content.active === false
  )
    throw new NotFound(`${person} is not a current relation of client ${patientId}`, {
      code: 'ERR_ADMIN_NO_PERSON',
    });
  return {
    reference: parsed.reference,
    name: displayName(stored.content.name) ?? parsed.reference,
    role: 'relation',
  };
}

// ---- link codes ---------------------------------------------------------------------------------

interface IssuedOutput {
  id: string;
  code: string;
  patientId: string;
  clientName: string;
  person: string;
  personName: string;
  validThrough: string;
  expiresAt: string;
  portalUrl: string;
  organisationName: string;
}

/** Issue a link code for the client or one of their relations; the code is in this answer only. */
export const issueLinkCode = defineOperation<
  { patientId: string; person: string; validDays?: number; reason: string },
  IssuedOutput
>({
  id: 'issueLinkCode',
  method: 'post',
  path: '/clients/{patientId}/link-codes',
  tag: 'onboarding',
  summary: 'Issue a link code (koppelcode) for the client or a relation (A-9)',
  description:
    'Makes a single-use link code bound to this client and this person (the client, or one of their ' +
    'current RelatedPersons), valid through the given number of Dutch calendar days. The code is in ' +
    'this answer only: the gateway keeps a keyed hash, and the audit record does not carry it. Print ' +
    'it on the letter (the console does) and hand it over with the manual.',
  roles: HELPERS,
  action: 'C',
  status: 201,
  input: {
    type: 'object',
    required: ['patientId', 'person'],
    additionalProperties: false,
    properties: {
      patientId: SCHEMA.patientId,
      person: SCHEMA.personReference,
      validDays: {
        type: 'integer',
        minimum: 1,
        maximum: 60,
        default: LINK_CODE_VALID_DAYS,
        description: 'Calendar days after today through which the code works.',
      },
    },
  },
  output: {
    type: 'object',
    required: [
      'id',
      'code',
      'patientId',
      'clientName',
      'person',
      'personName',
      'validThrough',
      'expiresAt',
      'portalUrl',
      'organisationName',
    ],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      code: { type: 'string', description: 'The link code, XXXX-XXXX-XXXX: shown once, never again.' },
      patientId: { type: 'string' },
      clientName: { type: 'string' },
      person: { type: 'string' },
      personName: { type: 'string' },
      validThrough: { type: 'string', format: 'date', description: 'The last day on which it works.' },
      expiresAt: { type: 'string', format: 'date-time' },
      portalUrl: { type: 'string', description: 'Where the holder registers.' },
      organisationName: { type: 'string' },
    },
  },
  command: {
    group: 'link-codes',
    name: 'issue',
    print: (out) =>
      `${out.code}\tfor ${out.personName} (${out.person}), client ${out.clientName}; valid through ${out.validThrough}; ${out.portalUrl}`,
  },
  async run(context, input) {
    const secret = context.services.accountSecret;
    if (secret === undefined)
      throw new Unavailable(
        'link codes cannot be issued: the account secret (INZAGE_LINK_CODE_SECRET) is not configured on this gateway',
        undefined,
        { code: 'ERR_ADMIN_NO_ACCOUNT_SECRET' },
      );
    const client = await clientOfCaller(context, input.patientId);
    if (client.endedAt !== null)
      throw new Conflict(`client ${input.patientId} is no longer in care: no new link codes`, {
        code: 'ERR_ADMIN_CLIENT_ENDED',
      });
    const person = await personOfClient(context, input.patientId, input.person);
    const issued = await issueCode(
      context.services.store,
      {
        binding: {
          organisationId: context.caller.organisationId,
          patient: `Patient/${input.patientId}`,
          person: person.reference,
        },
        issuedBy: actorOf(context.caller),
        at: context.now,
        validDays: input.validDays ?? LINK_CODE_VALID_DAYS,
      },
      secret,
    );
    const organisation = context.services.config.organisations.find(
      (o) => o.id === context.caller.organisationId,
    );
    return {
      id: issued.id,
      code: issued.code,
      patientId: input.patientId,
      clientName: clientName(client.content),
      person: person.reference,
      personName: person.name,
      validThrough: issued.validThrough,
      expiresAt: issued.expiresAt.toISOString(),
      portalUrl: context.services.publicUrl,
      organisationName: organisation?.name ?? context.caller.organisationId,
    };
  },
});

interface LinkCodeSummary {
  id: string;
  person: string;
  personName?: string;
  issuedBy: string;
  issuedByName?: string;
  issuedAt: string;
  expiresAt: string;
  usedAt?: string;
  revokedAt?: string;
  revokedBy?: string;
  state: LinkCodeRecord['state'];
}

const LINK_CODE_SUMMARY = {
  type: 'object',
  required: ['id', 'person', 'issuedBy', 'issuedAt', 'expiresAt', 'state'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    person: { type: 'string' },
    personName: { type: 'string' },
    issuedBy: { type: 'string', description: "Who issued it: 'staff:<id>' or 'system:<component>'." },
    issuedByName: { type: 'string' },
    issuedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    usedAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: 'string', format: 'date-time' },
    revokedBy: { type: 'string' },
    state: { enum: ['open', 'used', 'revoked', 'expired'] },
  },
} as const;

async function staffName(context: OperationContext, actor: string, cache: Map<string, string | undefined>) {
  if (!actor.startsWith('staff:')) return undefined;
  if (!cache.has(actor)) {
    const staff = await staffById(context.services.store, actor.slice('staff:'.length));
    cache.set(actor, staff?.organisationId === context.caller.organisationId ? staff.name : undefined);
  }
  return cache.get(actor);
}

/** The link codes issued for a client: for whom, by whom, until when, and what became of them. */
export const listLinkCodes = defineOperation<
  { patientId: string },
  {
    patientId: string;
    clientName: string;
    persons: { reference: string; name?: string; role: string }[];
    linkCodes: LinkCodeSummary[];
  }
>({
  id: 'listLinkCodes',
  method: 'get',
  path: '/clients/{patientId}/link-codes',
  tag: 'onboarding',
  summary: "A client's link codes: issued, for whom, by whom, expiry, used, revoked (no code values)",
  roles: READERS,
  action: 'R',
  input: {
    type: 'object',
    required: ['patientId'],
    additionalProperties: false,
    properties: { patientId: SCHEMA.patientId },
  },
  output: {
    type: 'object',
    required: ['patientId', 'clientName', 'persons', 'linkCodes'],
    additionalProperties: false,
    properties: {
      patientId: { type: 'string' },
      clientName: { type: 'string' },
      persons: {
        type: 'array',
        description: 'For whom a link code can be issued: the client and their current relations.',
        items: {
          type: 'object',
          required: ['reference', 'role'],
          additionalProperties: false,
          properties: { reference: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
        },
      },
      linkCodes: { type: 'array', items: LINK_CODE_SUMMARY },
    },
  },
  command: {
    group: 'link-codes',
    name: 'list',
    print: (out) =>
      out.linkCodes
        .map(
          (c) =>
            `${c.id}\t${c.state}\t${c.personName ?? c.person}\tissued ${c.issuedAt} by ${c.issuedByName ?? c.issuedBy}\texpires ${c.expiresAt}`,
        )
        .join('\n'),
  },
  async run(context, input) {
    const client = await clientOfCaller(context, input.patientId);
    const records = await linkCodesOfPatient(
      context.services.store,
      context.caller.organisationId,
      `Patient/${input.patientId}`,
      context.now,
    );
    const facts = await context.services.engine.facts(`Patient/${input.patientId}`);
    const names = facts?.names ?? {};
    const cache = new Map<string, string | undefined>();
    const linkCodes: LinkCodeSummary[] = [];
    for (const r of records) {
      const personName = names[r.binding.person];
      const issuedByName = await staffName(context, r.issuedBy, cache);
      linkCodes.push({
        id: r.id,
        person: r.binding.person,
        ...(personName ? { personName } : {}),
        issuedBy: r.issuedBy,
        ...(issuedByName ? { issuedByName } : {}),
        issuedAt: r.issuedAt.toISOString(),
        expiresAt: r.expiresAt.toISOString(),
        ...(r.usedAt ? { usedAt: r.usedAt.toISOString() } : {}),
        ...(r.revokedAt ? { revokedAt: r.revokedAt.toISOString() } : {}),
        ...(r.revokedBy ? { revokedBy: r.revokedBy } : {}),
        state: r.state,
      });
    }
    const today = dutchDate(context.now);
    const persons = [
      { reference: `Patient/${input.patientId}`, name: clientName(client.content), role: 'client' },
      ...(facts?.relations ?? [])
        .filter((r) => r.active && (r.end === undefined || today <= r.end))
        .map((r) => ({
          reference: r.reference,
          ...(names[r.reference] ? { name: names[r.reference] } : {}),
          role: r.role,
        })),
    ];
    return { patientId: input.patientId, clientName: clientName(client.content), persons, linkCodes };
  },
});

/** Revoke an unused link code (a lost letter, a mistake): it no longer registers anyone. */
export const revokeLinkCode = defineOperation<
  { patientId: string; linkCodeId: string; reason: string },
  { id: string; state: 'revoked'; revokedAt: string }
>({
  id: 'revokeLinkCode',
  method: 'post',
  path: '/clients/{patientId}/link-codes/{linkCodeId}/revoke',
  tag: 'onboarding',
  summary: 'Revoke an unused link code (A-9)',
  roles: HELPERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['patientId', 'linkCodeId'],
    additionalProperties: false,
    properties: {
      patientId: SCHEMA.patientId,
      linkCodeId: { type: 'string', pattern: '^linkcode-[0-9a-f-]{36}$' },
    },
  },
  output: {
    type: 'object',
    required: ['id', 'state', 'revokedAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      state: { const: 'revoked' },
      revokedAt: { type: 'string', format: 'date-time' },
    },
  },
  command: { group: 'link-codes', name: 'revoke', print: (out) => `${out.id}\trevoked ${out.revokedAt}` },
  async run(context, input) {
    await clientOfCaller(context, input.patientId);
    const record = await linkCodeById(context.services.store, input.linkCodeId, context.now);
    if (
      record === undefined ||
      record.binding.organisationId !== context.caller.organisationId ||
      record.binding.patient !== `Patient/${input.patientId}`
    )
      throw new NotFound(`client ${input.patientId} has no link code ${input.linkCodeId}`, {
        code: 'ERR_ADMIN_NO_LINK_CODE',
      });
    if (record.state === 'used' || record.state === 'revoked')
      throw new Conflict(`link code ${input.linkCodeId} was ${record.state} already`, {
        code: 'ERR_ADMIN_LINK_CODE_CLOSED',
      });
    const done = await revokeCode(
      context.services.store,
      input.linkCodeId,
      actorOf(context.caller),
      context.now,
    );
    if (!done)
      throw new Conflict(`link code ${input.linkCodeId} was used or revoked a moment ago`, {
        code: 'ERR_ADMIN_LINK_CODE_CLOSED',
      });
    return { id: input.linkCodeId, state: 'revoked', revokedAt: context.now.toISOString() };
  },
});

// ---- the portal administrator ---------------------------------------------------------------------

interface Named {
  reference: string;
  name?: string;
}

interface AdministratorView {
  patientId: string;
  clientName: string;
  model: 'portal-administrator' | 'first-contact-person';
  administrator?: Named;
  basis: { rule: string; text: string };
  ecdRegistrations: Named[];
  choice?: Named & { chosenBy: string; chosenAt: string; reason: string };
  options: (Named & { role: string; how: 'registration' | 'agreement'; rule: string })[];
}

const NAMED = {
  type: 'object',
  required: ['reference'],
  additionalProperties: false,
  properties: { reference: { type: 'string' }, name: { type: 'string' } },
} as const;

const ADMINISTRATOR_VIEW = {
  type: 'object',
  required: ['patientId', 'clientName', 'model', 'basis', 'ecdRegistrations', 'options'],
  additionalProperties: false,
  properties: {
    patientId: { type: 'string' },
    clientName: { type: 'string' },
    model: { enum: ['portal-administrator', 'first-contact-person'] },
    administrator: { ...NAMED, description: 'The portal administrator today; absent: nobody (no portal).' },
    basis: {
      type: 'object',
      required: ['rule', 'text'],
      additionalProperties: false,
      properties: { rule: { type: 'string' }, text: { type: 'string' } },
    },
    ecdRegistrations: {
      type: 'array',
      items: NAMED,
      description: 'Who the ECD registered as administrator (the registration form).',
    },
    choice: {
      type: 'object',
      required: ['reference', 'chosenBy', 'chosenAt', 'reason'],
      additionalProperties: false,
      description: "The organisation's own choice, made here; it replaces the ECD's registrations.",
      properties: {
        reference: { type: 'string' },
        name: { type: 'string' },
        chosenBy: { type: 'string' },
        chosenAt: { type: 'string', format: 'date-time' },
        reason: { type: 'string' },
      },
    },
    options: {
      type: 'array',
      description:
        'Whom the organisation may appoint now, and how: by registration (a choice between equals, A-3) or with the client’s recorded agreement (A-5). Empty where the rules decide alone.',
      items: {
        type: 'object',
        required: ['reference', 'role', 'how', 'rule'],
        additionalProperties: false,
        properties: {
          reference: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string' },
          how: { enum: ['registration', 'agreement'] },
          rule: { type: 'string' },
        },
      },
    },
  },
} as const;

async function situationOf(
  context: OperationContext,
  patientId: string,
): Promise<{ view: AdministratorView; situation: AdministratorSituation }> {
  const client = await clientOfCaller(context, patientId);
  const patient = `Patient/${patientId}`;
  const { engine, store } = context.services;
  // Fresh facts: a choice must never rest on a registration replaced a moment ago.
  engine.invalidate(patient);
  const facts = await engine.facts(patient);
  if (facts === undefined) throw new NotFound(`no client ${patientId}`, { code: 'ERR_ADMIN_NO_CLIENT' });
  const preset = engine.presetOf(facts.organisationId);
  const situation = administratorOptions(facts, preset, dutchDate(context.now));
  const names = facts.names ?? {};
  const named = (reference: string): Named =>
    names[reference] ? { reference, name: names[reference] } : { reference };
  const choice = await administratorChoiceOf(store, patientId);
  const ecd = await ecdAdministratorRegistrationsOf(store, patientId);
  const view: AdministratorView = {
    patientId,
    clientName: clientName(client.content),
    model: preset.model,
    ...(situation.administrator ? { administrator: named(situation.administrator) } : {}),
    basis: { rule: situation.basis.rule, text: situation.basis.text },
    ecdRegistrations: ecd.map(named),
    ...(choice
      ? {
          choice: {
            ...named(choice.person),
            chosenBy: choice.chosenBy,
            chosenAt: choice.chosenAt.toISOString(),
            reason: choice.reason,
          },
        }
      : {}),
    options: situation.options.map((o) => ({
      ...named(o.reference),
      role: o.role,
      how: o.how,
      rule: o.rule,
    })),
  };
  return { view, situation };
}

/** Who is the client's portal administrator now, why, and whom the rules let the organisation appoint. */
export const listAdministratorChoices = defineOperation<{ patientId: string }, AdministratorView>({
  id: 'listAdministratorChoices',
  method: 'get',
  path: '/clients/{patientId}/administrator',
  tag: 'onboarding',
  summary: "The client's portal administrator, why, and whom the rules leave to the organisation (A-3, A-5)",
  roles: READERS,
  action: 'R',
  input: {
    type: 'object',
    required: ['patientId'],
    additionalProperties: false,
    properties: { patientId: SCHEMA.patientId },
  },
  output: ADMINISTRATOR_VIEW,
  command: {
    group: 'administrator',
    name: 'show',
    print: (out) =>
      [
        `administrator: ${out.administrator ? (out.administrator.name ?? out.administrator.reference) : 'nobody'} (${out.basis.rule}: ${out.basis.text})`,
        ...out.options.map(
          (o) => `may appoint: ${o.reference}\t${o.name ?? ''}\t${o.role}\t${o.how} (${o.rule})`,
        ),
      ].join('\n'),
  },
  async run(context, input) {
    return (await situationOf(context, input.patientId)).view;
  },
});

/**
 * Appoint the portal administrator where the rules leave the organisation a choice: one of two
 * equals (two parents with authority of a minor, A-3 with A-8; two curators, A-6), kept as the
 * organisation's registration; or the first contact person of a client judged unable, only
 * with the client's recorded agreement, kept as the Consent the engine reads.
 */
export const appointAdministrator = defineOperation<
  {
    patientId: string;
    person: string;
    clientAgreed?: boolean;
    agreementNote?: string;
    reason: string;
  },
  AdministratorView & { appointed: string; how: 'registration' | 'agreement' }
>({
  id: 'appointAdministrator',
  method: 'post',
  path: '/clients/{patientId}/administrator',
  tag: 'onboarding',
  summary: 'Appoint or change the portal administrator where the rules leave a choice (A-3, A-5)',
  description:
    'Refused (409, naming the rule) where the rules decide alone: the client (A-4), a curator or mentor ' +
    '(A-6), the one parent with authority or the guardian (A-8). For a client judged unable (A-5) the ' +
    'first contact person needs clientAgreed=true and an agreementNote saying how the client agreed.',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['patientId', 'person'],
    additionalProperties: false,
    properties: {
      patientId: SCHEMA.patientId,
      person: SCHEMA.personReference,
      clientAgreed: {
        type: 'boolean',
        description: 'A-5: the client agreed that this first contact person is administrator.',
      },
      agreementNote: {
        type: 'string',
        minLength: 3,
        maxLength: 500,
        description: 'A-5: how and when the client agreed (the form, the conversation).',
      },
    },
  },
  output: {
    ...ADMINISTRATOR_VIEW,
    required: [...ADMINISTRATOR_VIEW.required, 'appointed', 'how'],
    properties: {
      ...ADMINISTRATOR_VIEW.properties,
      appointed: { type: 'string' },
      how: { enum: ['registration', 'agreement'] },
    },
  },
  command: {
    group: 'administrator',
    name: 'appoint',
    print: (out) => `${out.appointed} is administrator (${out.basis.rule}: ${out.basis.text})`,
  },
  async run(context, input) {
    const { view, situation } = await situationOf(context, input.patientId);
    if (view.model !== 'portal-administrator')
      throw new Conflict(
        'M-1/M-2: under these rules there is no portal administrator: the client (or their legal representative) has access and authorises others',
        { code: 'ERR_ADMIN_NO_CHOICE' },
      );
    const person = await personOfClient(context, input.patientId, input.person);
    if (situation.administrator === person.reference)
      throw new Conflict(`${person.reference} is the administrator already (${situation.basis.rule})`, {
        code: 'ERR_ADMIN_ALREADY_ADMINISTRATOR',
      });
    const option = situation.options.find((o) => o.reference === person.reference);
    if (option === undefined) {
      const basis = situation.byRulesAlone ? situation.byRulesAloneBasis : situation.basis;
      throw new Conflict(
        situation.options.length === 0
          ? `${basis.rule}: the rules leave no choice here: ${basis.text}`
          : `${basis.rule}: ${person.reference} cannot be administrator; the rules allow ${situation.options.map((o) => o.reference).join(' or ')}`,
        { code: 'ERR_ADMIN_NOT_ALLOWED' },
      );
    }
    const staff = context.caller;
    const origin = {
      requestId: context.requestId,
      account: staff.kind === 'staff' ? `staff:${staff.staffId}` : `client:${staff.clientId}`,
      ...(staff.kind === 'staff' ? { name: staff.name, role: staff.role } : { role: 'system' }),
      ...(context.reason ? { reason: context.reason } : {}),
      ...(context.address ? { address: context.address } : {}),
    };
    if (option.how === 'agreement') {
      if (input.clientAgreed !== true)
        throw new Conflict(
          'A-5: the client is judged unable to be administrator; the first contact person becomes administrator only with the client’s agreement (clientAgreed: true). If the client said no, no portal is opened.',
          { code: 'ERR_ADMIN_AGREEMENT_NEEDED' },
        );
      if (!input.agreementNote)
        throw new InvalidInput(
          'agreementNote: is required with clientAgreed (how and when the client agreed, A-5)',
          {
            code: 'ERR_ADMIN_INPUT',
          },
        );
      await recordClientAgreement(
        context.services.engine,
        context.services.store,
        {
          patient: `Patient/${input.patientId}`,
          relation: person.reference as RelatedPersonReference,
          kind: 'administrator-appointment',
          agreed: true,
          recordedBy: actorOf(staff),
          at: context.now,
        },
        // The note stays in the audit trail: the Consent is readable in the portal.
        auditJournal(context.services.trail, {
          ...origin,
          reason: `${context.reason ?? ''} (client's agreement: ${input.agreementNote})`,
        }),
      );
    } else {
      await chooseAdministrator(context.services.engine, context.services.store, {
        organisationId: context.caller.organisationId,
        patientId: input.patientId,
        person: person.reference as RelatedPersonReference,
        by: staff.kind === 'staff' ? `staff:${staff.staffId}` : `client:${staff.clientId}`,
        at: context.now,
        reason: context.reason ?? '',
      });
    }
    const after = (await situationOf(context, input.patientId)).view;
    if (after.administrator?.reference !== person.reference)
      // The rules and the write disagree: the gateway's fault, never to be answered as done.
      throw new Error(`appointment of ${person.reference} did not make them administrator`);
    return { ...after, appointed: person.reference, how: option.how };
  },
});

export const ONBOARDING_OPERATIONS: readonly AnyAdminOperation[] = [
  issueLinkCode as AnyAdminOperation,
  listLinkCodes as AnyAdminOperation,
  revokeLinkCode as AnyAdminOperation,
  listAdministratorChoices as AnyAdminOperation,
  appointAdministrator as AnyAdminOperation,
];
