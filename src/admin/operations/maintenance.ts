import { InvalidInput } from '../../errors';
import {
  activeMaintenance,
  clearMaintenance,
  maintenancePhase,
  readMaintenance,
  writeMaintenance,
  type MaintenancePhase,
  type MaintenanceWindow,
} from '../../http';
import { callerActor } from '../caller';
import { defineOperation } from '../operation';
import { ACCESS_MANAGERS, READERS } from '../roles';
import { SCHEMA } from '../schemas';

/**
 * Maintenance mode (issue 12 item 6; M-8, A-12): one switch for the whole gateway, on every
 * instance from its next request (src/http/maintenance.ts). While a window is in force the FHIR API
 * answers 503 with an OperationOutcome, the login a page in Dutch, the token endpoint
 * `temporarily_unavailable`; the administration stays open so that staff can end it.
 */

export interface MaintenanceState {
  phase: MaintenancePhase;
  window?: MaintenanceWindow;
  /** While active: what Retry-After says now. */
  retryAfterSeconds?: number;
}

const MESSAGE = { type: 'string', minLength: 1, maxLength: 500 } as const;

const WINDOW = {
  type: 'object',
  required: ['from', 'setBy', 'reason', 'setAt'],
  additionalProperties: false,
  properties: {
    from: { ...SCHEMA.moment, description: 'From when (ISO 8601).' },
    until: { ...SCHEMA.moment, description: 'Until when; absent: until ended.' },
    message: {
      type: 'object',
      additionalProperties: false,
      properties: { nl: { type: 'string' }, en: { type: 'string' } },
    },
    setBy: {
      type: 'object',
      required: ['account'],
      additionalProperties: false,
      properties: {
        account: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        organisationId: { type: 'string' },
      },
    },
    reason: { type: 'string' },
    setAt: { type: 'string' },
  },
} as const;

const STATE = {
  type: 'object',
  required: ['phase'],
  additionalProperties: false,
  properties: {
    phase: {
      enum: ['off', 'scheduled', 'active', 'over'],
      description:
        'off: no window; scheduled: starts at `from`; active: in force now; over: its `until` has passed.',
    },
    window: WINDOW,
    retryAfterSeconds: { type: 'integer', minimum: 1 },
  },
} as const;

function stateOf(window: MaintenanceWindow | undefined, now: Date): MaintenanceState {
  const phase = maintenancePhase(window, now);
  const active = activeMaintenance(window, now);
  return {
    phase,
    ...(window ? { window } : {}),
    ...(active ? { retryAfterSeconds: active.retryAfterSeconds } : {}),
  };
}

function printState(state: MaintenanceState): string {
  const w = state.window;
  if (state.phase === 'off' || w === undefined) return 'maintenance: off';
  const lines = [
    `maintenance: ${state.phase}`,
    `from: ${w.from}`,
    `until: ${w.until ?? '(until ended)'}`,
    `set by: ${w.setBy.name ?? w.setBy.account} (${w.setBy.account}) at ${w.setAt}`,
    `reason: ${w.reason}`,
  ];
  if (w.message?.nl) lines.push(`message (nl): ${w.message.nl}`);
  if (w.message?.en) lines.push(`message (en): ${w.message.en}`);
  return lines.join('\n');
}

/** Is the portal in maintenance, or is a window scheduled? */
export const getMaintenance = defineOperation<Record<string, never>, MaintenanceState>({
  id: 'getMaintenance',
  method: 'get',
  path: '/maintenance',
  tag: 'maintenance',
  summary: 'Maintenance mode: off, scheduled or active, and the window',
  roles: READERS,
  action: 'R',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: STATE,
  command: { group: 'maintenance', name: 'status', print: printState },
  async run(context) {
    return stateOf(await readMaintenance(context.services.store), context.now);
  },
});

interface StartInput {
  from?: string;
  until?: string;
  messageNl?: string;
  messageEn?: string;
  reason: string;
}

/** Start maintenance now or at a moment to come, until a moment or until ended. */
export const startMaintenance = defineOperation<StartInput, MaintenanceState>({
  id: 'startMaintenance',
  method: 'post',
  path: '/maintenance',
  tag: 'maintenance',
  summary: 'Start maintenance mode now, or schedule it',
  description:
    'Closes the FHIR API (503, OperationOutcome, Retry-After) and the login (a page in Dutch) on every ' +
    'instance from its next request, from `from` (default now) until `until` (default: until ended). ' +
    'Replaces a window already set (to move or extend it). /admin, the health routes and the ECD push stay open.',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { ...SCHEMA.moment, description: 'From when (ISO 8601 with offset); default now.' },
      until: { ...SCHEMA.moment, description: 'Until when (ISO 8601 with offset); default until ended.' },
      messageNl: { ...MESSAGE, description: 'Shown on the login page (Dutch).' },
      messageEn: { ...MESSAGE, description: 'Shown on the login page (English).' },
    },
  },
  output: STATE,
  command: { group: 'maintenance', name: 'start', print: printState },
  async run(context, input) {
    const { now } = context;
    const from = input.from === undefined ? now : new Date(input.from);
    const until = input.until === undefined ? undefined : new Date(input.until);
    if (until !== undefined && until.getTime() <= Math.max(from.getTime(), now.getTime()))
      throw new InvalidInput('until must lie after from and after now', { code: 'ERR_MAINTENANCE_WINDOW' });
    const actor = callerActor(context.caller);
    const message = {
      ...(input.messageNl ? { nl: input.messageNl } : {}),
      ...(input.messageEn ? { en: input.messageEn } : {}),
    };
    const window: MaintenanceWindow = {
      from: from.toISOString(),
      ...(until ? { until: until.toISOString() } : {}),
      ...(Object.keys(message).length > 0 ? { message } : {}),
      setBy: {
        account: actor.account,
        ...(actor.name ? { name: actor.name } : {}),
        role: actor.role,
        organisationId: context.caller.organisationId,
      },
      reason: input.reason,
      setAt: now.toISOString(),
    };
    await writeMaintenance(context.services.store, window);
    return stateOf(window, now);
  },
});

/** End maintenance (or cancel a scheduled window) at once. */
export const endMaintenance = defineOperation<{ reason: string }, MaintenanceState & { ended: boolean }>({
  id: 'endMaintenance',
  method: 'post',
  path: '/maintenance/end',
  tag: 'maintenance',
  summary: 'End maintenance mode, or cancel a scheduled window',
  description: 'Every instance serves again from its next request. Without a window, nothing changes.',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    ...STATE,
    required: ['phase', 'ended'],
    properties: {
      ...STATE.properties,
      ended: { type: 'boolean', description: 'Whether there was a window to remove.' },
      window: { ...WINDOW, description: 'The window removed.' },
    },
  },
  command: {
    group: 'maintenance',
    name: 'end',
    print: (out) => (out.ended ? 'maintenance: off (ended)' : 'maintenance: off (there was none)'),
  },
  async run(context) {
    const removed = await clearMaintenance(context.services.store);
    return { phase: 'off', ended: removed !== undefined, ...(removed ? { window: removed } : {}) };
  },
});

export const MAINTENANCE_OPERATIONS = [getMaintenance, startMaintenance, endMaintenance];
