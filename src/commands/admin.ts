import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import {
  ADMIN_OPERATIONS,
  invokeOperation,
  staffByEmail,
  type AdminServices,
  type AnyAdminOperation,
  type JsonSchema,
  type StaffCaller,
} from '../admin';
import { AuditTrail, auditKeyFromEnvironment } from '../audit';
import { AccountSecret, LINK_CODE_SECRET_VARIABLE } from '../auth';
import { loadConfigFile, type GatewayConfig } from '../config';
import { createPolicyEngine } from '../consent';
import { administratorRegistrationsOf } from '../ecd';
import { isGatewayError } from '../errors';
import { requestDesk } from '../fhir';
import type { Store } from '../store';
import { openConfiguredStore } from './open-store';
import { commandGroup, configOption } from './program';

/** The `inzage admin` group: the admin operations on the command line. */
export function adminGroup(program: Command): Command {
  return commandGroup(
    program,
    'admin',
    "The care organisation's administration: the operations of the admin API and the console, on the command line",
  );
}

/**
 * One command per admin operation that has one (`inzage admin <area> <name>`), made from the
 * operation's input schema: each field is an option (`patientId` → `--patient-id`), the required
 * ones mandatory. The command acts as the staff member named by --as, with their role, and is
 * recorded in the audit trail like a console action. Exit codes: 0 done, 1 refused (role, not
 * found, conflict), 2 bad input, 3 failure.
 */
export function registerAdmin(
  program: Command,
  operations: readonly AnyAdminOperation[] = ADMIN_OPERATIONS,
): void {
  const admin = adminGroup(program);
  for (const operation of operations) {
    if (!operation.command) continue;
    const area = commandGroup(
      admin,
      operation.command.group,
      GROUP_DESCRIPTIONS[operation.command.group] ?? `the ${operation.command.group} operations`,
    );
    const command = area
      .command(operation.command.name)
      .description(
        `${operation.summary}${operation.roles.length > 0 ? ` (roles: ${operation.roles.join(', ')})` : ''}`,
      )
      .addOption(configOption('gateway configuration file'))
      .addOption(
        new Option(
          '--as <email>',
          'the staff member who does this (their role applies)',
        ).makeOptionMandatory(),
      )
      .option('--json', 'print the answer as JSON');
    const fields = fieldsOf(operation.input);
    for (const field of fields) command.addOption(optionOf(field));
    command.action(async (options: Record<string, unknown>) => {
      const values: Record<string, unknown> = {};
      for (const field of fields) {
        const value = options[field.attribute];
        if (value !== undefined) values[field.name] = value;
      }
      await runAdminCommand(String(options.config), String(options.as), async (services, caller) => {
        const output = await invokeOperation(operation, {
          caller,
          services,
          fields: values,
          fromText: true,
          requestId: randomUUID(),
          channel: 'command',
        });
        return options.json || !operation.command?.print
          ? `${JSON.stringify(output, null, 2)}\n`
          : `${operation.command.print(output as never)}\n`;
      });
    });
  }
}

/** What each `inzage admin <group>` is for, in its --help. */
const GROUP_DESCRIPTIONS: Readonly<Record<string, string>> = {
  clients: 'find clients; who has access and why, the coming changes, what needs a decision, the audit log',
  access: 'suspend, end, close and reopen access; block and re-enrol accounts (M-5, M-6, M-7, A-10)',
  'link-codes': 'issue, list and revoke link codes (A-9)',
  administrator: 'the portal administrator where the rules leave a choice (A-3, A-5)',
  terms: 'publish terms versions and see who accepted which (M-12, A-15)',
  requests: 'the data-subject requests of the request channel (M-9, M-10)',
  maintenance: 'maintenance mode, now or scheduled (M-8, A-12)',
  apps: 'the SMART apps of portal vendors registered at run time',
  staff: 'staff accounts and roles (`staff add` makes the first one)',
};

interface Field {
  readonly name: string;
  readonly flag: string;
  readonly attribute: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
}

function fieldsOf(input: JsonSchema): Field[] {
  const properties = (input.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((input.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => {
    const flag = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const attribute = flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    return { name, flag, attribute, schema, required: required.has(name) };
  });
}

function optionOf(field: Field): Option {
  const description = typeof field.schema.description === 'string' ? field.schema.description : field.name;
  const type = field.schema.type;
  const option =
    type === 'boolean'
      ? new Option(`--${field.flag}`, description)
      : type === 'array'
        ? new Option(`--${field.flag} <values...>`, description)
        : new Option(`--${field.flag} <value>`, description);
  if (Array.isArray(field.schema.enum)) option.choices((field.schema.enum as unknown[]).map(String));
  return field.required ? option.makeOptionMandatory() : option;
}

/**
 * Opens what the operations need (database, policy engine, audit trail), finds the staff member,
 * runs, prints, closes. The exit code says how it went (see registerAdmin).
 */
export async function runAdminCommand(
  configPath: string,
  staffEmail: string,
  run: (services: AdminServices, caller: StaffCaller) => Promise<string>,
): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfigFile(configPath, process.env);
  } catch (err) {
    console.error(`inzage: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
  let store: Store | undefined;
  let trail: AuditTrail | undefined;
  try {
    store = (await openConfiguredStore(config)).store;
    const services = adminServicesOf(
      config,
      store,
      (trail = new AuditTrail(store, { key: auditKeyFromEnvironment(process.env) })),
    );
    const staff = await staffByEmail(store, staffEmail);
    if (staff === undefined || staff.blockedAt) {
      console.error(`inzage: no active staff account ${staffEmail}`);
      process.exitCode = 1;
      return;
    }
    const caller: StaffCaller = {
      kind: 'staff',
      staffId: staff.id,
      name: staff.name,
      email: staff.email,
      role: staff.role,
      organisationId: staff.organisationId,
      via: 'command',
    };
    process.stdout.write(await run(services, caller));
  } catch (err) {
    const status = isGatewayError(err) ? err.status : 500;
    console.error(
      `inzage: ${isGatewayError(err) && err.expose ? err.message : err instanceof Error ? err.message : String(err)}`,
    );
    process.exitCode = status === 400 ? 2 : status < 500 ? 1 : 3;
  } finally {
    await trail?.close();
    await store?.close();
  }
}

/** The operations' parts for a command (no authorization server runs here). */
export function adminServicesOf(config: GatewayConfig, store: Store, trail: AuditTrail): AdminServices {
  const engine = createPolicyEngine(config.organisations, store, {
    administratorRegistrations: administratorRegistrationsOf,
  });
  const secret = process.env[LINK_CODE_SECRET_VARIABLE];
  const auditKey = auditKeyFromEnvironment(process.env);
  return {
    store,
    config,
    engine,
    trail,
    publicUrl: config.server.publicUrl.replace(/\/+$/, ''),
    ...(secret ? { accountSecret: AccountSecret.fromText(secret, LINK_CODE_SECRET_VARIABLE) } : {}),
    ...(auditKey ? { auditKey } : {}),
    requestDesk: requestDesk(store, trail),
  };
}
