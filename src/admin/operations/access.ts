/**
 * Access (issue 12, item 2; M-5, M-6, M-7, A-10): suspend or end one person's access to a client,
 * or an account's access to every client of the organisation it is linked to; lift a suspension;
 * close and reopen a client's whole portal; block an account after lost credentials and let it
 * re-enrol. Suspensions go through src/consent (changeClientFacts announces them to every instance,
 * so they count on the very next request everywhere) with their audit record in the same
 * transaction; a block revokes every session, grant and token in the store the token verifier reads
 * on every request.
 */
import {
  accountById,
  blockAccount as blockPortalAccount,
  linksOfAccount,
  linksOfPatient,
  reenrolAccount as reenrolPortalAccount,
  type AccountLink,
  type BlockJournal,
} from '../../auth';
import {
  liftSuspension as liftConsentSuspension,
  suspendAccess as suspendConsentAccess,
  suspendAccessAll,
  suspensionById,
  suspensionHistoryOf,
  type SuspensionEntry,
} from '../../consent';
import { auditJournal, type ChangeOrigin } from '../../ecd';
import { Conflict, Forbidden, InvalidInput, NotFound, Unavailable } from '../../errors';
import type { Actor } from '../../vocabulary';
import {
  defineOperation,
  type AnyAdminOperation,
  type JsonSchema,
  type OperationContext,
} from '../operation';
import { ACCESS_MANAGERS, HELPERS, READERS } from '../roles';
import { SCHEMA } from '../schemas';
import { clientName, clientOfCaller } from './client-scope';

/** A suspension as the API answers it. */
export interface SuspensionView {
  id: string;
  patientId: string;
  /** The person; absent: the whole portal is closed. */
  person?: string;
  from: string;
  until?: string;
  reason: string;
  /** Who suspended: 'staff:<id>', an ECD import, a system. */
  createdBy: string;
  createdAt: string;
  liftedAt?: string;
  liftedBy?: string;
  /** At the time of the answer: in force, still to start, or over (ended or lifted). */
  state: 'current' | 'scheduled' | 'past';
}

const SUSPENSION: JsonSchema = {
  type: 'object',
  required: ['id', 'patientId', 'from', 'reason', 'createdBy', 'createdAt', 'state'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    patientId: { type: 'string' },
    person: { type: 'string', description: 'Absent: the whole portal of the client (A-10).' },
    from: SCHEMA.moment,
    until: { ...SCHEMA.moment, description: 'Exclusive; absent: until lifted.' },
    reason: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: SCHEMA.moment,
    liftedAt: SCHEMA.moment,
    liftedBy: { type: 'string' },
    state: { enum: ['current', 'scheduled', 'past'] },
  },
};

const SUSPENSION_LIST: JsonSchema = {
  type: 'object',
  required: ['suspensions'],
  additionalProperties: false,
  properties: { suspensions: { type: 'array', items: SUSPENSION } },
};

function viewOf(entry: SuspensionEntry, now: Date): SuspensionView {
  const over =
    entry.liftedAt !== undefined || (entry.endsAt !== undefined && entry.endsAt.getTime() <= now.getTime());
  const state = over ? 'past' : entry.startsAt.getTime() > now.getTime() ? 'scheduled' : 'current';
  return {
    id: entry.id,
    patientId: entry.patientId,
    ...(entry.principal ? { person: entry.principal } : {}),
    from: entry.startsAt.toISOString(),
    ...(entry.endsAt ? { until: entry.endsAt.toISOString() } : {}),
    reason: entry.reason,
    createdBy: entry.createdBy,
    createdAt: entry.createdAt.toISOString(),
    ...(entry.liftedAt ? { liftedAt: entry.liftedAt.toISOString() } : {}),
    ...(entry.liftedBy ? { liftedBy: entry.liftedBy } : {}),
    state,
  };
}

/** The staff member behind the call: these operations change access, so only staff run them. */
function staffOf(context: OperationContext): { actor: Actor; origin: ChangeOrigin } {
  const caller = context.caller;
  if (caller.kind !== 'staff')
    throw new Forbidden('this operation is for staff only', { code: 'ERR_ADMIN_SCOPE' });
  return {
    actor: { kind: 'staff', account: caller.staffId },
    origin: {
      requestId: context.requestId,
      account: `staff:${caller.staffId}`,
      name: caller.name,
      role: caller.role,
      ...(context.reason ? { reason: context.reason } : {}),
      ...(context.address ? { address: context.address } : {}),
    },
  };
}

function dateOf(text: string | undefined, field: string): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new InvalidInput(`${field}: not a date-time`, { code: 'ERR_ADMIN_INPUT' });
  return date;
}

/** Checks the period: from (default now) before until, and until not already past. */
function periodOf(
  context: OperationContext,
  input: { from?: string; until?: string },
): { startsAt?: Date; endsAt?: Date } {
  const startsAt = dateOf(input.from, 'from');
  const endsAt = dateOf(input.until, 'until');
  if (endsAt !== undefined && endsAt.getTime() <= (startsAt ?? context.now).getTime())
    throw new InvalidInput('until must be after from (or after now)', { code: 'ERR_ADMIN_PERIOD' });
  return { ...(startsAt ? { startsAt } : {}), ...(endsAt ? { endsAt } : {}) };
}

/** The people of a client's portal: the client and the relations the ECD lists. */
async function peopleOf(context: OperationContext, patientId: string): Promise<Set<string>> {
  const facts = await context.services.engine.facts(`Patient/${patientId}`);
  return new Set([`Patient/${patientId}`, ...(facts?.relations.map((r) => r.reference) ?? [])]);
}

async function suspend(
  context: OperationContext,
  input: { patientId: string; person?: string; reason: string; from?: string; until?: string },
): Promise<SuspensionView> {
  const { actor, origin } = staffOf(context);
  await clientOfCaller(context, input.patientId);
  if (input.person !== undefined && !(await peopleOf(context, input.patientId)).has(input.person))
    throw new InvalidInput(`${input.person} is not a person of this client's portal`, {
      code: 'ERR_ADMIN_PERSON',
    });
  const { store, engine, trail } = context.services;
  const id = await suspendConsentAccess(
    engine,
    store,
    {
      patient: `Patient/${input.patientId}`,
      ...(input.person ? { principal: input.person } : {}),
      ...periodOf(context, input),
      reason: input.reason,
      by: actor,
      at: context.now,
    },
    auditJournal(trail, origin),
  );
  return viewOf((await suspensionById(store, id))!, context.now);
}

/** A suspension of the caller's organisation, or the same 404 as for one nobody has. */
async function ownSuspension(context: OperationContext, id: string): Promise<SuspensionEntry> {
  const found = await suspensionById(context.services.store, id);
  if (found === undefined || found.organisationId !== context.caller.organisationId)
    throw new NotFound(`no suspension ${id}`, { code: 'ERR_ADMIN_NO_SUSPENSION' });
  return found;
}

async function lift(context: OperationContext, id: string): Promise<SuspensionView> {
  const { actor, origin } = staffOf(context);
  const found = await ownSuspension(context, id);
  if (found.liftedAt !== undefined)
    throw new NotFound(`suspension ${id} was lifted already`, { code: 'ERR_ADMIN_LIFTED' });
  const { store, engine, trail } = context.services;
  await liftConsentSuspension(engine, store, { id, by: actor, at: context.now }, auditJournal(trail, origin));
  return viewOf((await suspensionById(store, id))!, context.now);
}

const PERSON_INPUT = {
  patientId: SCHEMA.patientId,
  person: SCHEMA.personReference,
  from: { ...SCHEMA.moment, description: 'From when (default: now).' },
  until: {
    ...SCHEMA.moment,
    description: 'Until when, exclusive (M-7: a temporary block); absent: until lifted, or for good.',
  },
} as const;

export const suspendAccess = defineOperation<
  { patientId: string; person: string; reason: string; from?: string; until?: string },
  SuspensionView
>({
  id: 'suspendAccess',
  method: 'post',
  path: '/clients/{patientId}/suspensions',
  tag: 'access',
  summary: "Suspend or end one person's access to a client's portal (M-5, M-7, A-10)",
  description:
    'Effective on the next request on every instance. With `until` a temporary block (M-7); without, ' +
    'until lifted (ending access for good is a suspension without end).',
  roles: ACCESS_MANAGERS,
  action: 'C',
  status: 201,
  input: {
    type: 'object',
    required: ['patientId', 'person'],
    additionalProperties: false,
    properties: PERSON_INPUT,
  },
  output: SUSPENSION,
  command: {
    group: 'access',
    name: 'suspend',
    print: (s) => `${s.id}\t${s.person ?? 'portal'}\t${s.from}\t${s.until ?? ''}`,
  },
  run: (context, input) => suspend(context, input),
});

/** The account's current links within the caller's organisation, or a 404. */
async function ownLinks(context: OperationContext, accountId: string): Promise<AccountLink[]> {
  const links = (await linksOfAccount(context.services.store, accountId, true)).filter(
    (l) => l.organisationId === context.caller.organisationId,
  );
  if (links.length === 0 || (await accountById(context.services.store, accountId)) === undefined)
    throw new NotFound(`no portal account ${accountId}`, { code: 'ERR_ADMIN_NO_ACCOUNT' });
  return links;
}

const ACCOUNT_ID = {
  type: 'string',
  pattern: '^[A-Za-z0-9._-]{1,100}$',
  description: "A portal account's id (as the client's access page shows it).",
} as const;

export const suspendAccountEverywhere = defineOperation<
  { accountId: string; reason: string; from?: string; until?: string },
  { suspensions: SuspensionView[] }
>({
  id: 'suspendAccountEverywhere',
  method: 'post',
  path: '/accounts/{accountId}/suspensions',
  tag: 'access',
  summary: "Suspend a portal account's access to every client of the organisation it is linked to (M-5)",
  description:
    'One suspension per current link, as the person of that link, in one transaction (all or none), each ' +
    "with its audit record. Other organisations' links are not touched. An account without a current " +
    'link here is a 404.',
  roles: ACCESS_MANAGERS,
  action: 'C',
  status: 201,
  input: {
    type: 'object',
    required: ['accountId'],
    additionalProperties: false,
    properties: { accountId: ACCOUNT_ID, from: PERSON_INPUT.from, until: PERSON_INPUT.until },
  },
  output: SUSPENSION_LIST,
  command: {
    group: 'access',
    name: 'suspend-account',
    print: (out) => out.suspensions.map((s) => `${s.id}\t${s.patientId}\t${s.person ?? ''}`).join('\n'),
  },
  async run(context, input) {
    const { actor, origin } = staffOf(context);
    const links = (await ownLinks(context, input.accountId)).filter((l) => l.endedAt === undefined);
    if (links.length === 0)
      throw new NotFound(`portal account ${input.accountId} has no current link here`, {
        code: 'ERR_ADMIN_NO_ACCOUNT',
      });
    const period = periodOf(context, input);
    const { store, engine, trail } = context.services;
    // One suspension per link, as the person of that link, in one transaction: all or none.
    const ids = await suspendAccessAll(
      engine,
      store,
      links.map((link) => ({
        patient: link.patient,
        principal: link.person,
        ...period,
        reason: input.reason,
        by: actor,
        at: context.now,
      })),
      auditJournal(trail, origin),
    );
    const suspensions: SuspensionView[] = [];
    for (const id of ids) suspensions.push(viewOf((await suspensionById(store, id))!, context.now));
    return { suspensions };
  },
});

export const liftSuspension = defineOperation<{ suspensionId: string; reason: string }, SuspensionView>({
  id: 'liftSuspension',
  method: 'post',
  path: '/suspensions/{suspensionId}/lift',
  tag: 'access',
  summary: 'Lift a suspension or reopen what it closed (M-7: the manual lift)',
  description: 'Access comes back on the next request on every instance.',
  roles: ACCESS_MANAGERS,
  action: 'D',
  input: {
    type: 'object',
    required: ['suspensionId'],
    additionalProperties: false,
    properties: { suspensionId: { type: 'string', pattern: '^suspension-[A-Za-z0-9-]{1,80}$' } },
  },
  output: SUSPENSION,
  command: { group: 'access', name: 'lift', print: (s) => `${s.id}\tlifted ${s.liftedAt ?? ''}` },
  patientOf: (_input, output) => (output ? `Patient/${output.patientId}` : undefined),
  run: (context, input) => lift(context, input.suspensionId),
});

export const listSuspensions = defineOperation<{ patientId: string }, { suspensions: SuspensionView[] }>({
  id: 'listSuspensions',
  method: 'get',
  path: '/clients/{patientId}/suspensions',
  tag: 'access',
  summary: "A client's suspensions and portal closures: current, scheduled and past, with who and why",
  roles: READERS,
  action: 'R',
  input: {
    type: 'object',
    required: ['patientId'],
    additionalProperties: false,
    properties: { patientId: SCHEMA.patientId },
  },
  output: SUSPENSION_LIST,
  command: {
    group: 'access',
    name: 'list',
    print: (out) =>
      out.suspensions
        .map(
          (s) =>
            `${s.id}\t${s.state}\t${s.person ?? 'portal'}\t${s.from}\t${s.until ?? ''}\t${s.createdBy}\t${s.reason}`,
        )
        .join('\n'),
  },
  async run(context, input) {
    await clientOfCaller(context, input.patientId);
    const history = await suspensionHistoryOf(context.services.store, input.patientId);
    return { suspensions: history.map((entry) => viewOf(entry, context.now)) };
  },
});

export const closePortal = defineOperation<
  { patientId: string; reason: string; from?: string; until?: string },
  SuspensionView
>({
  id: 'closePortal',
  method: 'post',
  path: '/clients/{patientId}/close',
  tag: 'access',
  summary: "Close a client's whole portal, for everyone (A-10)",
  description: 'Effective on the next request on every instance; reopenPortal lifts it.',
  roles: ACCESS_MANAGERS,
  action: 'C',
  status: 201,
  input: {
    type: 'object',
    required: ['patientId'],
    additionalProperties: false,
    properties: { patientId: SCHEMA.patientId, from: PERSON_INPUT.from, until: PERSON_INPUT.until },
  },
  output: SUSPENSION,
  command: { group: 'access', name: 'close', print: (s) => `${s.id}\tclosed from ${s.from}` },
  run: (context, input) => suspend(context, input),
});

export const reopenPortal = defineOperation<
  { patientId: string; reason: string },
  { suspensions: SuspensionView[] }
>({
  id: 'reopenPortal',
  method: 'post',
  path: '/clients/{patientId}/reopen',
  tag: 'access',
  summary: "Reopen a client's portal: lifts its closures that are in force or scheduled (A-10)",
  description:
    "One person's suspensions stay. A portal without an open closure is a 409 (ERR_ADMIN_NOT_CLOSED).",
  roles: ACCESS_MANAGERS,
  action: 'D',
  input: {
    type: 'object',
    required: ['patientId'],
    additionalProperties: false,
    properties: { patientId: SCHEMA.patientId },
  },
  output: SUSPENSION_LIST,
  command: {
    group: 'access',
    name: 'reopen',
    print: (out) => out.suspensions.map((s) => `${s.id}\tlifted`).join('\n'),
  },
  async run(context, input) {
    staffOf(context);
    await clientOfCaller(context, input.patientId);
    const open = (await suspensionHistoryOf(context.services.store, input.patientId)).filter(
      (s) =>
        s.principal === undefined &&
        s.liftedAt === undefined &&
        (s.endsAt === undefined || s.endsAt.getTime() > context.now.getTime()),
    );
    if (open.length === 0)
      throw new Conflict(`the portal of ${input.patientId} is not closed`, { code: 'ERR_ADMIN_NOT_CLOSED' });
    const suspensions: SuspensionView[] = [];
    for (const closure of open) suspensions.push(await lift(context, closure.id));
    return { suspensions };
  },
});

/**
 * The block's own audit record, in the block's transaction: kind 'token', the account and how many
 * sessions, grants and tokens went, by whom and why (the invoker's 'admin' record follows).
 */
function blockJournal(
  context: OperationContext,
  interaction: 'account-blocked' | 'account-reenrol',
): BlockJournal {
  const { origin } = staffOf(context);
  return async (tx, block) => {
    await context.services.trail.recordIn(tx, {
      kind: 'token',
      action: 'D',
      at: context.now,
      outcome: 'success',
      ...(origin.requestId ? { requestId: origin.requestId } : {}),
      actor: {
        account: origin.account!,
        ...(origin.name ? { name: origin.name } : {}),
        ...(origin.role ? { role: origin.role } : {}),
        onBehalfOf: `Organization/${context.caller.organisationId}`,
        ...(origin.address ? { address: origin.address } : {}),
      },
      interaction,
      detail: {
        account: block.account.id,
        revoked: block.revoked,
        links: block.links.map((l) => l.id).join(','),
        ...(origin.reason ? { reason: origin.reason.slice(0, 1000) } : {}),
      },
    });
  };
}

interface AccountBlockView {
  accountId: string;
  blockedAt: string;
  newlyBlocked: boolean;
  revoked: number;
}

export const blockAccount = defineOperation<{ accountId: string; reason: string }, AccountBlockView>({
  id: 'blockAccount',
  method: 'post',
  path: '/accounts/{accountId}/block',
  tag: 'access',
  summary:
    'Block a portal account after lost or stolen credentials; revokes all its tokens and sessions (M-6)',
  description:
    'At once and on every instance: its access tokens are refused (401), refresh tokens, grants and ' +
    'login sessions are gone, and logins are refused. The block holds for the account as a whole (its ' +
    'credentials are what was lost). reenrolAccount lets it back in with new credentials.',
  roles: HELPERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['accountId'],
    additionalProperties: false,
    properties: { accountId: ACCOUNT_ID },
  },
  output: {
    type: 'object',
    required: ['accountId', 'blockedAt', 'newlyBlocked', 'revoked'],
    additionalProperties: false,
    properties: {
      accountId: { type: 'string' },
      blockedAt: SCHEMA.moment,
      newlyBlocked: { type: 'boolean', description: 'False: it was blocked already.' },
      revoked: { type: 'integer', minimum: 0, description: 'Sessions, grants, codes and tokens revoked.' },
    },
  },
  command: {
    group: 'access',
    name: 'block',
    print: (out) => `${out.accountId}\tblocked ${out.blockedAt}\t${out.revoked} revoked`,
  },
  async run(context, input) {
    const { actor } = staffOf(context);
    await ownLinks(context, input.accountId);
    const done = await blockPortalAccount(
      context.services.store,
      input.accountId,
      actor,
      context.now,
      blockJournal(context, 'account-blocked'),
    );
    return {
      accountId: input.accountId,
      blockedAt: done.account.blockedAt!.toISOString(),
      newlyBlocked: done.newlyBlocked,
      revoked: done.revoked,
    };
  },
});

interface ReenrolView {
  accountId: string;
  patientId: string;
  person: string;
  linkCode: string;
  validThrough: string;
  email: string;
}

export const reenrolAccount = defineOperation<
  { accountId: string; patientId?: string; reason: string },
  ReenrolView
>({
  id: 'reenrolAccount',
  method: 'post',
  path: '/accounts/{accountId}/reenrol',
  tag: 'access',
  summary: 'Let a blocked account re-enrol: a fresh link code for new credentials (M-6)',
  description:
    'Blocks the account if it is not (revoking everything), and issues a link code for one of its links ' +
    '(the client `patientId`, or its first). The person registers on the login pages with that code and ' +
    "the account's e-mail address: a new password, the e-mail address and mobile number verified anew and a " +
    'new second factor; that lifts the block. The old password and second factor never count again. The ' +
    'code is shown once; hand it over only after checking who the person is.',
  roles: HELPERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['accountId'],
    additionalProperties: false,
    properties: { accountId: ACCOUNT_ID, patientId: SCHEMA.patientId },
  },
  output: {
    type: 'object',
    required: ['accountId', 'patientId', 'person', 'linkCode', 'validThrough', 'email'],
    additionalProperties: false,
    properties: {
      accountId: { type: 'string' },
      patientId: { type: 'string' },
      person: { type: 'string' },
      linkCode: { type: 'string', description: 'Shown once: XXXX-XXXX-XXXX.' },
      validThrough: SCHEMA.date,
      email: { type: 'string', description: 'The address to register with.' },
    },
  },
  command: {
    group: 'access',
    name: 'reenrol',
    print: (out) => `${out.linkCode}\tvalid through ${out.validThrough}\tfor ${out.email}`,
  },
  patientOf: (input, output) =>
    output ? `Patient/${output.patientId}` : input.patientId ? `Patient/${input.patientId}` : undefined,
  async run(context, input) {
    const { actor } = staffOf(context);
    await ownLinks(context, input.accountId);
    if (input.patientId !== undefined) await clientOfCaller(context, input.patientId);
    const secret = context.services.accountSecret;
    if (secret === undefined)
      throw new Unavailable('link codes cannot be issued here (no INZAGE_LINK_CODE_SECRET)', 5, {
        code: 'ERR_ADMIN_NO_SECRET',
      });
    const done = await reenrolPortalAccount(
      context.services.store,
      {
        accountId: input.accountId,
        by: actor,
        at: context.now,
        organisationId: context.caller.organisationId,
        ...(input.patientId ? { patient: `Patient/${input.patientId}` } : {}),
        journal: blockJournal(context, 'account-reenrol'),
      },
      secret,
    );
    return {
      accountId: input.accountId,
      patientId: done.link.patient.slice('Patient/'.length),
      person: done.link.person,
      linkCode: done.code.code,
      validThrough: done.code.validThrough,
      email: done.account.email,
    };
  },
});

/** A portal account linked to a client, as the access page shows it. */
interface ClientAccountView {
  accountId: string;
  linkId: string;
  person: string;
  email: string;
  linkedAt: string;
  blockedAt?: string;
}

/** A person of the client's portal: the client, or a relation the ECD lists. */
interface PortalPersonView {
  reference: string;
  name: string;
  /** 'client', or the relation's role (parent, legal-representative, …). */
  role: string;
  active: boolean;
}

export const clientPortalAccess = defineOperation<
  { patientId: string },
  { people: PortalPersonView[]; accounts: ClientAccountView[] }
>({
  id: 'clientPortalAccess',
  method: 'get',
  path: '/clients/{patientId}/portal-people',
  tag: 'access',
  summary: "The people of a client's portal and the portal accounts linked to it now, blocked or not",
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
    required: ['people', 'accounts'],
    additionalProperties: false,
    properties: {
      people: {
        type: 'array',
        items: {
          type: 'object',
          required: ['reference', 'name', 'role', 'active'],
          additionalProperties: false,
          properties: {
            reference: { type: 'string' },
            name: { type: 'string' },
            role: { type: 'string' },
            active: { type: 'boolean' },
          },
        },
      },
      accounts: {
        type: 'array',
        items: {
          type: 'object',
          required: ['accountId', 'linkId', 'person', 'email', 'linkedAt'],
          additionalProperties: false,
          properties: {
            accountId: { type: 'string' },
            linkId: { type: 'string' },
            person: { type: 'string' },
            email: { type: 'string' },
            linkedAt: SCHEMA.moment,
            blockedAt: SCHEMA.moment,
          },
        },
      },
    },
  },
  command: {
    group: 'access',
    name: 'people',
    print: (out) =>
      [
        ...out.people.map((p) => `${p.reference}\t${p.role}\t${p.name}${p.active ? '' : '\t(ended)'}`),
        ...out.accounts.map(
          (a) => `${a.accountId}\t${a.person}\t${a.email}${a.blockedAt ? '\tblocked' : ''}`,
        ),
      ].join('\n'),
  },
  async run(context, input) {
    const stored = await clientOfCaller(context, input.patientId);
    const { store, engine } = context.services;
    const patient = `Patient/${input.patientId}` as const;
    const facts = await engine.facts(patient);
    const names = facts?.names ?? {};
    const people: PortalPersonView[] = [
      {
        reference: patient,
        name: names[patient] ?? clientName(stored.content),
        role: 'client',
        active: true,
      },
      ...(facts?.relations ?? []).map((r) => ({
        reference: r.reference,
        name: names[r.reference] ?? r.reference,
        role: r.role,
        active: r.active,
      })),
    ];
    const links = (await linksOfPatient(store, patient)).filter(
      (l) => l.organisationId === context.caller.organisationId,
    );
    const accounts: ClientAccountView[] = [];
    for (const link of links) {
      const account = await accountById(store, link.accountId);
      if (account === undefined) continue;
      accounts.push({
        accountId: account.id,
        linkId: link.id,
        person: link.person,
        email: account.email,
        linkedAt: link.linkedAt.toISOString(),
        ...(account.blockedAt ? { blockedAt: account.blockedAt.toISOString() } : {}),
      });
    }
    return { people, accounts };
  },
});

/** The access operations, in the order the OpenAPI document lists them. */
export const ACCESS_OPERATIONS: readonly AnyAdminOperation[] = [
  listSuspensions,
  clientPortalAccess,
  suspendAccess,
  suspendAccountEverywhere,
  liftSuspension,
  closePortal,
  reopenPortal,
  blockAccount,
  reenrolAccount,
] as AnyAdminOperation[];
