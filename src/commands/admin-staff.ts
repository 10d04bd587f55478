import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import {
  createStaffAccount,
  isStaffRole,
  issueEnrolmentCode,
  setStaffPassword,
  staffById,
  STAFF_ROLES,
  type StaffAccount,
} from '../admin';
import { AuditTrail, auditKeyFromEnvironment } from '../audit';
import { loadConfigFile, type GatewayConfig } from '../config';
import { isGatewayError } from '../errors';
import type { Store } from '../store';
import { adminGroup } from './admin';
import { openConfiguredStore } from './open-store';
import { commandGroup, configOption } from './program';

export interface AdminStaffAddOptions {
  readonly config: string;
  readonly organisation: string;
  readonly email: string;
  readonly name: string;
  readonly role: string;
  /** A file whose first line is the password; without it an enrolment code is printed. */
  readonly passwordFile?: string;
}

export interface AdminStaffAddOutcome {
  readonly exitCode: 0 | 1 | 2 | 3;
  readonly output: string;
  readonly staff?: StaffAccount;
}

/** Who runs the command, for the record: the OS user (there is no staff member yet). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * `inzage admin staff add`: makes a staff account from the command line, without --as, for the
 * first functional administrator of an organisation (and for recovery when none can log in).
 * Whoever can run it can read the configuration and the database already. Recorded in the audit
 * trail as made by the command line and the OS user. With --password-file the password is set
 * (the person running it is usually the new administrator); without it a one-time enrolment code
 * and link are printed, with which the staff member sets their own password.
 */
export async function runAdminStaffAdd(
  options: AdminStaffAddOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AdminStaffAddOutcome> {
  let config: GatewayConfig;
  try {
    config = loadConfigFile(options.config, env);
  } catch (err) {
    return { exitCode: 2, output: `inzage: ${err instanceof Error ? err.message : String(err)}\n` };
  }
  if (!config.organisations.some((o) => o.id === options.organisation))
    return { exitCode: 2, output: `inzage: no organisation '${options.organisation}' in ${config.source}\n` };
  if (!isStaffRole(options.role))
    return { exitCode: 2, output: `inzage: role must be one of ${STAFF_ROLES.join(', ')}\n` };
  let password: string | undefined;
  if (options.passwordFile !== undefined) {
    try {
      password = readFileSync(options.passwordFile, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      return { exitCode: 2, output: `inzage: cannot read the password file: ${(err as Error).message}\n` };
    }
  }
  const role = options.role;
  const by = `command:${osUser()}`;
  let store: Store | undefined;
  let trail: AuditTrail | undefined;
  try {
    store = (await openConfiguredStore(config)).store;
    trail = new AuditTrail(store, { key: auditKeyFromEnvironment(env) });
    const now = new Date();
    const made = await store.transaction(async (tx) => {
      const staff = await createStaffAccount(tx, {
        organisationId: options.organisation,
        email: options.email,
        name: options.name,
        role,
        createdBy: by,
        at: now,
      });
      if (password !== undefined) {
        await setStaffPassword(tx, staff.id, password);
        return { staff: (await staffById(tx, staff.id)) ?? staff, enrolment: undefined };
      }
      return { staff, enrolment: await issueEnrolmentCode(tx, staff.id, now) };
    });
    await trail.record({
      kind: 'admin',
      action: 'C',
      at: now,
      outcome: 'success',
      status: 201,
      actor: {
        account: by,
        name: osUser(),
        role: 'command-line',
        onBehalfOf: `Organization/${options.organisation}`,
      },
      interaction: 'createStaff',
      detail: {
        operation: 'createStaff',
        channel: 'command',
        staff: `staff:${made.staff.id}`,
        role,
        reason: 'inzage admin staff add (bootstrap)',
      },
    });
    const publicUrl = config.server.publicUrl.replace(/\/+$/, '');
    const lines = [
      `${made.staff.id}\t${made.staff.email}\t${made.staff.role}\t${made.staff.organisationId}`,
      made.enrolment
        ? `enrolment (once, until ${made.enrolment.expiresAt.toISOString()}): ${publicUrl}/admin/console/enrol?code=${encodeURIComponent(made.enrolment.code)}`
        : `password set; log in at ${publicUrl}/admin/console/login and set up TOTP`,
    ];
    return { exitCode: 0, output: `${lines.join('\n')}\n`, staff: made.staff };
  } catch (err) {
    const status = isGatewayError(err) ? err.status : 500;
    const message =
      isGatewayError(err) && err.expose ? err.message : err instanceof Error ? err.message : String(err);
    return { exitCode: status === 400 ? 2 : status < 500 ? 1 : 3, output: `inzage: ${message}\n` };
  } finally {
    await trail?.close();
    await store?.close();
  }
}

/** Registers `inzage admin staff add` beside the generated `inzage admin staff …` commands. */
export function registerAdminStaff(program: Command): void {
  const staff = commandGroup(adminGroup(program), 'staff', 'staff: the staff operations');
  staff
    .command('add')
    .description(
      'Make a staff account without --as (the first functional administrator); recorded as made by the command line and the OS user',
    )
    .addOption(configOption('gateway configuration file'))
    .addOption(new Option('--organisation <id>', 'the organisation').makeOptionMandatory())
    .addOption(new Option('--email <email>', 'e-mail address (the login)').makeOptionMandatory())
    .addOption(new Option('--name <name>', 'name as shown').makeOptionMandatory())
    .addOption(new Option('--role <role>', 'role').choices([...STAFF_ROLES]).makeOptionMandatory())
    .option(
      '--password-file <file>',
      'set the password from the first line of this file (else: an enrolment code)',
    )
    .action(async (options: AdminStaffAddOptions) => {
      const outcome = await runAdminStaffAdd(options);
      (outcome.exitCode === 0 ? process.stdout : process.stderr).write(outcome.output);
      process.exitCode = outcome.exitCode;
    });
}
