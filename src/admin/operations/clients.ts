import { findPatients } from '../../resources';
import { defineOperation } from '../operation';
import { ANY_STAFF } from '../roles';
import { STAFF_ROLES } from '../roles';
import { clientName } from './client-scope';

interface ClientSummary {
  id: string;
  name: string;
  birthDate?: string;
  identifiers: { system: string; value: string }[];
  ended: boolean;
}

const CLIENT_SUMMARY = {
  type: 'object',
  required: ['id', 'name', 'identifiers', 'ended'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    birthDate: { type: 'string' },
    identifiers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['system', 'value'],
        additionalProperties: false,
        properties: { system: { type: 'string' }, value: { type: 'string' } },
      },
    },
    ended: { type: 'boolean', description: 'The ECD no longer lists the client.' },
  },
} as const;

/** Who am I: the caller as the gateway sees them (the console's header, a system's check). */
export const whoAmI = defineOperation<Record<string, never>, Record<string, unknown>>({
  id: 'whoAmI',
  method: 'get',
  path: '/me',
  tag: 'staff',
  summary: 'The caller: staff member and role, or system client and scopes',
  roles: ANY_STAFF,
  systemScope: 'system/Patient.rs',
  action: 'R',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    type: 'object',
    required: ['kind', 'organisationId'],
    additionalProperties: false,
    properties: {
      kind: { enum: ['staff', 'system'] },
      organisationId: { type: 'string' },
      staffId: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      role: { enum: [...STAFF_ROLES] },
      clientId: { type: 'string' },
      scopes: { type: 'array', items: { type: 'string' } },
    },
  },
  command: { group: 'staff', name: 'whoami' },
  async run({ caller }) {
    return caller.kind === 'staff'
      ? {
          kind: 'staff',
          organisationId: caller.organisationId,
          staffId: caller.staffId,
          name: caller.name,
          email: caller.email,
          role: caller.role,
        }
      : {
          kind: 'system',
          organisationId: caller.organisationId,
          clientId: caller.clientId,
          scopes: [...caller.scopes],
        };
  },
});

/** Find a client by a part of their name, their id, BSN or client number. */
export const findClients = defineOperation<{ q: string; limit?: number }, { clients: ClientSummary[] }>({
  id: 'findClients',
  method: 'get',
  path: '/clients',
  tag: 'insight',
  summary: 'Find clients by name, id, BSN or client number',
  roles: ANY_STAFF,
  systemScope: 'system/Patient.rs',
  action: 'R',
  input: {
    type: 'object',
    required: ['q'],
    additionalProperties: false,
    properties: {
      q: {
        type: 'string',
        minLength: 1,
        maxLength: 100,
        description: 'A part of the name, or an exact id or identifier.',
      },
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    },
  },
  output: {
    type: 'object',
    required: ['clients'],
    additionalProperties: false,
    properties: { clients: { type: 'array', items: CLIENT_SUMMARY } },
  },
  command: {
    group: 'clients',
    name: 'find',
    print: (out) =>
      out.clients
        .map((c) => `${c.id}\t${c.name}\t${c.birthDate ?? ''}${c.ended ? '\t(ended)' : ''}`)
        .join('\n'),
  },
  async run(context, input) {
    const found = await findPatients(
      context.services.store,
      context.caller.organisationId,
      input.q,
      input.limit ?? 50,
    );
    return {
      clients: found.map(({ content, endedAt }) => ({
        id: content.id!,
        name: clientName(content),
        ...(content.birthDate ? { birthDate: content.birthDate } : {}),
        identifiers: (content.identifier ?? [])
          .filter((i) => i.system && i.value)
          .map((i) => ({ system: i.system!, value: i.value! })),
        ended: endedAt !== null,
      })),
    };
  },
});
