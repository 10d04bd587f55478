import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { AUDIT_KEY_VARIABLE, AuditTrail, auditKeyFromEnvironment, findAuditRecords } from '../audit';
import { loadConfigFile, type GatewayConfig } from '../config';
import {
  EcdImportError,
  ecdSyncRefusalEntry,
  importEcdExport,
  readEcdExport,
  type EcdSyncOrigin,
  type CountedKind,
  type ImportPhase,
  type ImportResult,
} from '../ecd';
import { exitOnFailure } from './fail';
import { openConfiguredStore } from './open-store';
import { commandGroup, configOption } from './program';

export interface EcdImportCommandOptions {
  path: string;
  dryRun: boolean;
  allowEndingAll: boolean;
  /** Where progress goes; a progress line is drawn only when it is a terminal. */
  progress: NodeJS.WriteStream;
}

/** `inzage ecd import PATH`: an export file or CSV directory into the configured database. */
export function registerEcdImport(program: Command): void {
  commandGroup(program, 'ecd', 'The ECD link: client administration into Patient, RelatedPerson and Consent.')
    .command('import')
    .description(
      'Import (sync) an ECD export: a JSON file, or a directory of CSV files. Applied whole or not at all.',
    )
    .argument('<path>', 'export.json, or a directory with organisation.csv, clients.csv, …')
    .addOption(configOption('configuration file (the database it names is imported into)'))
    .option('--dry-run', 'check everything and print what would change, but change nothing')
    .option(
      '--allow-ending-all',
      'accept an export without clients, which ends every client of the organisation',
    )
    .addHelpText(
      'after',
      `
Prints per resource type how many were created, updated, ended and left unchanged. On any problem
nothing is applied; every problem is printed with its file, line, record, field and reason.
The format is described in the README ("ECD export format"). DATABASE_URL selects PostgreSQL.

Exit codes: 0 applied (or dry run passed), 2 invalid configuration, 3 the export has problems, 1 other.`,
    )
    .action(
      exitOnFailure(
        async (path: string, opts: { config: string; dryRun?: boolean; allowEndingAll?: boolean }) => {
          const config = loadConfigFile(opts.config, process.env);
          const result = await runEcdImport(config, {
            path,
            dryRun: !!opts.dryRun,
            allowEndingAll: !!opts.allowEndingAll,
            progress: process.stderr,
          });
          process.stdout.write(formatImportResult(result, path));
        },
      ),
    );
}

/**
 * One export file or CSV directory into the configured database. Recorded in the audit trail as an
 * 'ecd-sync' by the operating-system user who ran it: an applied import with its changes, in its
 * transaction; a dry run, and an import refused for its problems or failed, after.
 */
export async function runEcdImport(
  config: GatewayConfig,
  options: EcdImportCommandOptions,
): Promise<ImportResult> {
  const { store } = await openConfiguredStore(config);
  const key = auditKeyFromEnvironment(process.env);
  if (key === undefined) {
    // An unkeyed link after keyed ones is a downgrade that `inzage audit verify` reports as a break.
    const [newest] = await findAuditRecords(store, { newestFirst: true, limit: 1 });
    if (newest?.alg === 'hmac-sha256') {
      await store.close();
      throw new Error(
        `${AUDIT_KEY_VARIABLE} is not set, but the gateway's audit trail is keyed: run the import with the gateway's ${AUDIT_KEY_VARIABLE}`,
      );
    }
  }
  const trail = new AuditTrail(store, { key });
  const progress = progressLine(options.progress);
  const origin: EcdSyncOrigin = { via: 'file', account: `cli:${operatingSystemUser()}` };
  const source = `cli:${basename(options.path)}`;
  const at = new Date();
  try {
    return await importEcdExport(store, readEcdExport(options.path), {
      organisations: config.organisations,
      dryRun: options.dryRun,
      allowEndingAll: options.allowEndingAll,
      source,
      onProgress: progress.update,
      audit: { trail, origin },
    });
  } catch (err) {
    const problems = err instanceof EcdImportError ? { problems: err.problems.length } : {};
    // The refusal stands whether or not its record can be written (nothing was imported).
    await trail
      .record(ecdSyncRefusalEntry(origin, at, err, { source, dryRun: options.dryRun, ...problems }))
      .catch(() => undefined);
    throw err;
  } finally {
    progress.done();
    await trail.close();
    await store.close();
  }
}

/** Who ran the command, as the operating system knows them. */
function operatingSystemUser(): string {
  try {
    return (
      userInfo()
        .username.replace(/[^A-Za-z0-9._@-]/g, '_')
        .slice(0, 64) || 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

const KINDS: CountedKind[] = ['Patient', 'RelatedPerson', 'Consent', 'PortalRegistration'];

/** The summary table the command prints: per resource type, created / updated / ended / unchanged. */
export function formatImportResult(result: ImportResult, what: string): string {
  const head = result.dryRun
    ? `Dry run of ${what} for organisation '${result.organisationId}': nothing was changed. It would give:`
    : `Imported ${what} for organisation '${result.organisationId}' (import ${result.importId}):`;
  const columns = ['created', 'updated', 'ended', 'unchanged'] as const;
  const rows = KINDS.map(
    (kind) =>
      `  ${kind.padEnd(20)}${columns.map((c) => String(result.counts[kind][c]).padStart(10)).join('')}`,
  );
  return [
    head,
    `  ${''.padEnd(20)}${columns.map((c) => c.padStart(10)).join('')}`,
    ...rows,
    `  ${result.records} records read`,
    '',
  ].join('\n');
}

/** A single self-overwriting line on a terminal; nothing at all when output is redirected. */
function progressLine(stream: NodeJS.WriteStream): {
  update: (phase: ImportPhase, done: number) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let drawn = false;
  const frames = ['[=   ]', '[ =  ]', '[  = ]', '[   =]', '[  = ]', '[ =  ]'];
  let frame = 0;
  return {
    update(phase, done) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      drawn = true;
      frame = (frame + 1) % frames.length;
      stream.write(`\r${frames[frame]} ${phase.padEnd(9)} ${done.toLocaleString('en')} records\u001b[K`);
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}
