import { runReviewerCommand } from './reviewer-command';
import type { Command } from 'commander';
import {
  AUDIT_KEY_VARIABLE,
  auditKeyFromEnvironment,
  verifyChain,
  type ChainAnchor,
  type ChainReport,
} from '../audit';
import type { GatewayConfig } from '../config';
import { openConfiguredStore } from './open-store';
import { commandGroup, configOption } from './program';

export interface AuditVerifyOptions {
  /** A head published earlier, `<seq>:<hash>`: the chain must still hold that record with that hash. */
  anchor?: string;
}

/**
 * What `inzage audit verify` prints and how it ends: 0 the chain is intact, 1 it is broken, 2 the
 * question is wrong (a bad key or anchor), 3 it cannot be checked (no key for keyed records, or no
 * database). A script must never read "cannot check" as "intact", nor as "broken".
 */
export interface AuditVerifyOutcome {
  exitCode: 0 | 1 | 2 | 3;
  stdout: string;
  stderr: string;
  report?: ChainReport;
}

/** `inzage audit verify`: checks the whole chain, a page at a time, with INZAGE_AUDIT_KEY from `env`. */
export async function runAuditVerify(
  config: GatewayConfig,
  options: AuditVerifyOptions,
  env: NodeJS.ProcessEnv,
): Promise<AuditVerifyOutcome> {
  let key: Buffer | undefined;
  let anchor: ChainAnchor | undefined;
  try {
    key = auditKeyFromEnvironment(env);
    anchor = options.anchor === undefined ? undefined : parseAnchor(options.anchor);
  } catch (err) {
    return { exitCode: 2, stdout: '', stderr: `inzage: ${(err as Error).message}\n` };
  }
  const { store } = await openConfiguredStore(config);
  let report: ChainReport;
  try {
    report = await verifyChain(store, { key, anchor });
  } finally {
    await store.close();
  }
  const stderr = warnings(report, key !== undefined);
  const stdout = describeReport(report);
  const exitCode = report.ok ? 0 : report.firstBroken?.problem === 'key-missing' ? 3 : 1;
  return { exitCode, stdout, stderr, report };
}

/** `<seq>:<64 hex digits>`, as `inzage audit verify` prints the head. */
export function parseAnchor(text: string): ChainAnchor {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  if (!match) throw new TypeError(`--anchor must be <seq>:<hash> as verify prints the head (got '${text}')`);
  return { seq: Number(match[1]), hash: match[2]! };
}

/** The report in words: the verdict, what was checked, the first broken link, the head to anchor. */
export function describeReport(report: ChainReport): string {
  const lines: string[] = [];
  const first = report.startSeq + 1;
  lines.push(`audit chain       ${report.ok ? 'intact' : 'BROKEN'}`);
  lines.push(
    `records checked   ${report.checked}` +
      (report.checked > 0
        ? ` (seq ${first} to ${first + report.checked - 1}; ${report.keyed} keyed, ${report.unkeyed} unkeyed)`
        : ''),
  );
  if (report.startSeq > 0)
    lines.push(`chain starts      after seq ${report.startSeq} (older records deleted by retention)`);
  if (report.anchorChecked !== undefined)
    lines.push(
      `anchor            ${report.anchorChecked && report.ok ? 'found, as anchored' : 'not confirmed'}`,
    );
  const broken = report.firstBroken;
  if (broken) {
    lines.push(
      `first broken link seq ${broken.seq}${broken.id ? `, AuditEvent ${broken.id}` : ''}: ${broken.problem}`,
    );
    lines.push(`                  ${broken.detail}`);
  }
  lines.push(`head              ${report.headSeq}:${report.headHash}`);
  if (report.ok) lines.push('                  (publish this line elsewhere; check it later with --anchor)');
  return `${lines.join('\n')}\n`;
}

function warnings(report: ChainReport, keyed: boolean): string {
  if (!keyed && report.checked > 0 && report.keyed === 0)
    return (
      `inzage: warning: the chain is unkeyed (${AUDIT_KEY_VARIABLE} was never set): whoever can write to the ` +
      'database could rewrite all of it; compare the head with one published elsewhere (--anchor)\n'
    );
  if (keyed && report.unkeyed > 0)
    return (
      `inzage: warning: ${report.unkeyed} records are unkeyed (written without ${AUDIT_KEY_VARIABLE}): ` +
      'the key does not protect them; compare the head with one published elsewhere (--anchor)\n'
    );
  return '';
}

/** `inzage audit verify`: registers the command in the `inzage audit` group. */
export function registerAuditVerify(program: Command): void {
  commandGroup(
    program,
    'audit',
    'The audit trail (NEN 7513): verify, export, explain, breach reports, retention',
  )
    .command('verify')
    .description('Check the hash chain of the audit trail and name the first broken link.')
    .addOption(configOption('configuration file (the database it names is read)'))
    .option('--anchor <seq:hash>', 'a head printed earlier: the chain must still hold it unchanged')
    .addHelpText(
      'after',
      `
Reads every audit record in chain order, a page at a time, and checks each three ways: its place
(sequence numbers without gaps), its link to the record before it, and its own hash. Keyed records
(HMAC-SHA-256) need the key the gateway wrote them with, in ${AUDIT_KEY_VARIABLE}.

Prints the records checked, the first broken link (its sequence number, its AuditEvent id, the
problem and what it means) and the head as <seq>:<hash>. Publish the head elsewhere (a ticket, a
signed e-mail, another system); --anchor <seq>:<hash> later proves the chain still holds it, also
if someone rewrote the chain and its head together.

Exits 0 when the chain is intact, 1 when it is broken, 2 on bad input (a malformed key or anchor,
an invalid configuration), 3 when it cannot be checked (keyed records without the key, or the
database cannot be read).`,
    )
    .action((opts: AuditVerifyOptions & { config: string }) =>
      runReviewerCommand(opts.config, (config) => runAuditVerify(config, opts, process.env)),
    );
}
