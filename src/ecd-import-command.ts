import { basename } from 'node:path';
import type { GatewayConfig } from './config';
import { importEcdExport, readEcdExport, type CountedKind, type ImportPhase, type ImportResult } from './ecd';
import { migrate, openStore } from './store';

export interface EcdImportCommandOptions {
  path: string;
  dryRun: boolean;
  allowEndingAll: boolean;
  /** Where progress goes; a progress line is drawn only when it is a terminal. */
  progress: NodeJS.WriteStream;
}

/** `inzage ecd import`: one export file or CSV directory into the configured database. */
export async function runEcdImport(
  config: GatewayConfig,
  options: EcdImportCommandOptions,
): Promise<ImportResult> {
  const store = await openStore(
    config.database.driver === 'postgres'
      ? { driver: 'postgres', databaseUrl: config.database.url, poolSize: 2 }
      : { driver: 'pglite', dataDir: config.database.dataDir },
  );
  const progress = progressLine(options.progress);
  try {
    await migrate(store);
    return await importEcdExport(store, readEcdExport(options.path), {
      organisations: config.organisations,
      dryRun: options.dryRun,
      allowEndingAll: options.allowEndingAll,
      source: `cli:${basename(options.path)}`,
      onProgress: progress.update,
    });
  } finally {
    progress.done();
    await store.close();
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
