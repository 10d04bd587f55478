import { runReviewerCommand } from './reviewer-command';
import type { Command } from 'commander';
import {
  AUDIT_KEY_VARIABLE,
  AuditChainBroken,
  AuditTrail,
  auditKeyFromEnvironment,
  planAuditPrune,
  pruneAuditTrail,
  type AuditPrunePlan,
} from '../audit';
import type { GatewayConfig } from '../config';
import { openConfiguredStore } from './open-store';
import { commandGroup, configOption } from './program';

export interface AuditPruneCommandOptions {
  /** Delete; without it, only show what would be deleted. */
  apply?: boolean;
  /** The clock (tests). */
  now?: () => Date;
}

export interface AuditPruneOutcome {
  exitCode: 0 | 1 | 2 | 3;
  stdout: string;
  stderr: string;
}

/**
 * `inzage audit prune`: the records older than `audit.retentionYears` (whole days in Amsterdam),
 * shown, or with `apply` deleted with a record of the deletion. 0 done (or nothing to do), 1 the chain
 * is broken in what would be deleted (nothing deleted), 2 bad input (the key).
 */
export async function runAuditPrune(
  config: GatewayConfig,
  options: AuditPruneCommandOptions,
  env: NodeJS.ProcessEnv,
): Promise<AuditPruneOutcome> {
  let key: Buffer | undefined;
  try {
    key = auditKeyFromEnvironment(env);
  } catch (err) {
    return { exitCode: 2, stdout: '', stderr: `inzage: ${(err as Error).message}\n` };
  }
  const retentionYears = config.audit.retentionYears;
  const { store } = await openConfiguredStore(config);
  try {
    if (!options.apply) {
      const plan = await planAuditPrune(store, { retentionYears, now: options.now });
      return {
        exitCode: 0,
        stdout:
          describePlan(plan, 'would delete') +
          (plan.count > 0 ? 'nothing deleted: run again with --apply to delete them\n' : ''),
        stderr: '',
      };
    }
    const trail = new AuditTrail(store, { key });
    try {
      const results = await pruneAuditTrail(store, trail, {
        retentionYears,
        now: options.now,
        key,
        by: 'inzage audit prune',
      });
      if (results.length === 0)
        return {
          exitCode: 0,
          stdout: describePlan(await planAuditPrune(store, { retentionYears, now: options.now }), 'deleted'),
          stderr: '',
        };
      const stdout = results
        .map(
          (r) =>
            describePlan(r, 'deleted') +
            `recorded as      AuditEvent ${r.deletion?.id ?? '?'} (seq ${r.deletion?.seq ?? '?'})\n`,
        )
        .join('');
      return { exitCode: 0, stdout, stderr: '' };
    } catch (err) {
      if (err instanceof AuditChainBroken)
        return {
          exitCode: 1,
          stdout: '',
          stderr: `inzage: ${err.message}${key === undefined ? ` (is ${AUDIT_KEY_VARIABLE} set?)` : ''}\n`,
        };
      throw err;
    } finally {
      await trail.close();
    }
  } finally {
    await store.close();
  }
}

function describePlan(plan: AuditPrunePlan, verb: string): string {
  const lines = [
    `retention        ${plan.retentionYears} years: records written before ${plan.cutoff.toISOString()} may go`,
  ];
  if (plan.count === 0) lines.push(`${verb.padEnd(17)}nothing: no record is older`);
  else
    lines.push(
      `${verb.padEnd(17)}${plan.count} records, seq ${plan.firstSeq} to ${plan.lastSeq}` +
        (plan.oldestRecorded && plan.newestRecorded
          ? `, written ${plan.oldestRecorded.toISOString()} to ${plan.newestRecorded.toISOString()}`
          : ''),
    );
  return `${lines.join('\n')}\n`;
}

/** `inzage audit prune`: registers the command in the `inzage audit` group. */
export function registerAuditPrune(program: Command): void {
  commandGroup(
    program,
    'audit',
    'The audit trail (NEN 7513): verify, export, explain, breach reports, retention',
  )
    .command('prune')
    .description('Show (or with --apply delete) the audit records older than the retention period.')
    .addOption(configOption('configuration file (audit.retentionYears and the database)'))
    .option('--apply', 'delete them (without it, only show what would be deleted)')
    .addHelpText(
      'after',
      `
Records written more than audit.retentionYears (default 5, the legal minimum; less is refused) ago
may be deleted: those written before the start of today's date in Amsterdam, that many years back.
Nothing younger is ever deleted. The oldest records go, in chain order, in one transaction that
first verifies them (a broken part is not deleted: the break stays for a reviewer to see), moves
the start of the chain to the last one deleted, and writes an 'audit-deletion' record (how many,
which, the cutoff). \`inzage audit verify\` stays intact afterwards. A running gateway does the same
once a day. Keyed records need ${AUDIT_KEY_VARIABLE} to be verified.

Exits 0 when done (or nothing is old enough), 1 when the chain is broken in what would be deleted
(nothing was deleted), 2 on bad input, 3 when the database cannot be read or written.`,
    )
    .action((opts: { config: string; apply?: boolean }) =>
      runReviewerCommand(opts.config, (config) =>
        runAuditPrune(config, { apply: opts.apply === true }, process.env),
      ),
    );
}
