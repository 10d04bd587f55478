import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { writeAuditExport } from '../audit';
import { parseMoment } from '../calendar';
import { loadConfigFile, type GatewayConfig } from '../config';
import { isGatewayError } from '../errors';
import { parsePatientReference } from '../vocabulary';
import { openConfiguredStore } from './open-store';
import { commandGroup, configOption } from './program';

export interface AuditExportOptions {
  /** Inclusive: ISO 8601 with an offset, or a date (the start of that day in Amsterdam). */
  from: string;
  /** Exclusive, in the same forms. */
  to: string;
  /** `Patient/<id>`: only that client's records. */
  patient?: string;
  /** A file to write (created or replaced); standard output when absent. */
  out?: string;
}

/** The range and the client of an export, checked; InvalidInput-style messages on a bad one. */
export function exportQueryOf(options: Pick<AuditExportOptions, 'from' | 'to' | 'patient'>): {
  from: Date;
  to: Date;
  patientId?: string;
} {
  const moment = (name: string, text: string) => {
    try {
      return parseMoment(text);
    } catch (err) {
      throw new TypeError(`--${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const from = moment('from', options.from);
  const to = moment('to', options.to);
  if (to.getTime() <= from.getTime()) throw new TypeError('--to must be later than --from');
  let patientId: string | undefined;
  if (options.patient !== undefined) {
    try {
      patientId = parsePatientReference(options.patient).id;
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      throw new TypeError(`--patient must be Patient/<id> (got '${options.patient}')`);
    }
  }
  return { from, to, ...(patientId !== undefined ? { patientId } : {}) };
}

/**
 * `inzage audit export`: the AuditEvents (as a reviewer sees them) written in [from, to), one JSON
 * object a line, in chain order, streamed a page at a time. Resolves with the number written.
 */
export async function runAuditExport(
  config: GatewayConfig,
  options: AuditExportOptions,
  stdout: Writable,
): Promise<number> {
  const query = exportQueryOf(options);
  const { store } = await openConfiguredStore(config);
  try {
    if (options.out === undefined) return await writeAuditExport(store, query, stdout);
    const file = createWriteStream(options.out, { mode: 0o600 });
    try {
      const lines = await writeAuditExport(store, query, file);
      file.end();
      await finished(file);
      return lines;
    } catch (err) {
      file.destroy();
      throw err;
    }
  } finally {
    await store.close();
  }
}

/** `inzage audit export`: registers the command in the `inzage audit` group. */
export function registerAuditExport(program: Command): void {
  commandGroup(
    program,
    'audit',
    'The audit trail (NEN 7513): verify, export, explain, breach reports, retention',
  )
    .command('export')
    .description('Write the AuditEvents of a date range as NDJSON (for reviewers).')
    .addOption(configOption('configuration file (the database it names is read)'))
    .requiredOption('--from <moment>', 'from (inclusive): ISO 8601 with an offset, or a date (Amsterdam)')
    .requiredOption('--to <moment>', 'to (exclusive): ISO 8601 with an offset, or a date (Amsterdam)')
    .option('--patient <reference>', "only this client's records: Patient/<id>")
    .option('--out <file>', 'write to this file (mode 600) instead of standard output')
    .addHelpText(
      'after',
      `
One FHIR AuditEvent per line (application/fhir+ndjson), as a reviewer sees it (with account ids,
network addresses and token ids), in the order the trail wrote them. A date is the start of that
day in Amsterdam: --from 2026-11-01 --to 2026-12-01 is November. The export is read a page at a
time, so any range fits. It holds personal data: keep the file as safely as the database.

Exits 0 when written, 2 on bad input, 3 when the database cannot be read.`,
    )
    .action(async (opts: AuditExportOptions & { config: string }) => {
      let config: GatewayConfig;
      try {
        config = loadConfigFile(opts.config, process.env);
        exportQueryOf(opts);
      } catch (err) {
        console.error(`inzage: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(2);
      }
      try {
        const lines = await runAuditExport(config, opts, process.stdout);
        if (opts.out !== undefined) console.error(`inzage: ${lines} AuditEvents written to ${opts.out}`);
      } catch (err) {
        console.error(`inzage: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(3);
      }
    });
}
