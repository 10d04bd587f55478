import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importEcdExport, readEcdExport, type ImportResult } from '../src/ecd';
import { migrate, openStore, type Store, type StoreOptions } from '../src/store';
import { resetGatewayTables } from '../test/support/tables';
import { writeSyntheticExport } from './synthetic-export';

const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Zorgcentrum Meerzicht (bench)', preset: 'meerlanden' as const },
];

interface Measured<T> {
  value: T;
  seconds: number;
  /**
   * Highest live heap during the run, in MiB: sampled every 250 ms right after a forced collection
   * (node --expose-gc), so it counts what the import holds on to, not garbage waiting to be collected.
   * Timing runs use no forced collections.
   */
  peakHeapMiB: number;
  peakRssMiB: number;
}

async function measure<T>(
  work: () => Promise<T>,
  options: { liveHeap?: boolean } = {},
): Promise<Measured<T>> {
  global.gc?.();
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    if (options.liveHeap) global.gc?.();
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, options.liveHeap ? 250 : 20);
  const started = process.hrtime.bigint();
  try {
    const value = await work();
    sample();
    return {
      value,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      peakHeapMiB: peakHeap / 2 ** 20,
      peakRssMiB: peakRss / 2 ** 20,
    };
  } finally {
    clearInterval(timer);
  }
}

async function readOnly(path: string): Promise<number> {
  let n = 0;
  for await (const _ of readEcdExport(path)) n += 1;
  return n;
}

function importFile(store: Store, path: string): Promise<ImportResult> {
  return importEcdExport(store, readEcdExport(path), { organisations: ORGANISATIONS, source: 'bench' });
}

function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

/**
 * The ECD import benchmark (issue 4): a full import of 10,000 clients with 30,000 relations, an
 * incremental sync of 100 changes, and peak memory for a file four times smaller, to show that memory
 * does not grow with the file. Baseline in the same run: reading the same file with the same reader
 * and doing nothing else.
 */
export async function benchEcdImport(options: {
  driver: StoreOptions;
  label: string;
  clients: number;
}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'inzage-bench-'));
  try {
    const full = join(dir, 'full.json');
    const small = join(dir, 'small.json');
    const changed = join(dir, 'changed.json');
    const { clients } = options;
    await writeSyntheticExport(full, { clients, relationsPerClient: 3 });
    await writeSyntheticExport(small, { clients: Math.round(clients / 4), relationsPerClient: 3 });
    const changes = new Set(Array.from({ length: 100 }, (_, i) => Math.floor((i * clients) / 100)));
    // The full export changes other clients than the delta, so each run has 100 changes to apply.
    const otherChanges = new Set([...changes].map((i) => i + 1));
    await writeSyntheticExport(changed, {
      clients,
      relationsPerClient: 3,
      changed: new Set([...changes, ...otherChanges]),
    });
    const delta = join(dir, 'delta.json');
    await writeSyntheticExport(delta, { clients, relationsPerClient: 3, changed: changes, delta: true });
    const mib = statSync(full).size / 2 ** 20;

    console.log(
      `\n## ECD import on ${options.label}: ${clients} clients, ${clients * 3} relations (${fmt(mib, 1)} MiB JSON)`,
    );
    const read = await measure(() => readOnly(full));
    console.log(
      `baseline: read the file only         ${fmt(read.seconds)} s  (${read.value} records, ${fmt(mib / read.seconds, 1)} MiB/s)`,
    );

    const fresh = async (): Promise<Store> => {
      const store = await openStore(
        options.driver.driver === 'pglite'
          ? { driver: 'pglite', dataDir: join(dir, `pglite-${Date.now()}`) }
          : options.driver,
      );
      await migrate(store);
      if (options.driver.driver === 'postgres') await resetGatewayTables(store);
      return store;
    };

    // Memory: the same import on a file four times smaller and on the full file, live heap sampled.
    let store = await fresh();
    const smallRun = await measure(() => importFile(store, small), { liveHeap: true });
    await store.close();
    store = await fresh();
    const fullMemory = await measure(() => importFile(store, full), { liveHeap: true });
    await store.close();

    store = await fresh();
    try {
      const fullRun = await measure(() => importFile(store, full));
      const c = fullRun.value.counts;
      console.log(
        `full import                          ${fmt(fullRun.seconds)} s  (${fmt(fullRun.seconds / read.seconds, 1)}x the read-only baseline; ` +
          `target < 60 s) — created ${c.Patient.created} Patient, ${c.RelatedPerson.created} RelatedPerson, ${c.Consent.created} Consent`,
      );
      console.log(
        `peak live heap: ${fmt(smallRun.peakHeapMiB, 0)} MiB for a ${fmt(statSync(small).size / 2 ** 20, 1)} MiB file, ` +
          `${fmt(fullMemory.peakHeapMiB, 0)} MiB for ${fmt(mib, 1)} MiB (ratio ${fmt(fullMemory.peakHeapMiB / smallRun.peakHeapMiB)} for 4x the data); ` +
          `peak RSS ${fmt(smallRun.peakRssMiB, 0)} / ${fmt(fullMemory.peakRssMiB, 0)} MiB`,
      );
      const again = await measure(() => importFile(store, full));
      console.log(
        `re-import, nothing changed           ${fmt(again.seconds)} s  (unchanged: ${again.value.counts.Patient.unchanged} Patient)`,
      );
      const incremental = await measure(() => importFile(store, delta));
      console.log(
        `incremental sync, 100 changes        ${fmt(incremental.seconds)} s  (delta export; updated ${incremental.value.counts.Patient.updated} Patient; ` +
          `target < 1 s; ${fmt((incremental.seconds / fullRun.seconds) * 100, 1)}% of the full import)`,
      );
      const fullWithChanges = await measure(() => importFile(store, changed));
      console.log(
        `full export with 100 other changes   ${fmt(fullWithChanges.seconds)} s  (updated ${fullWithChanges.value.counts.Patient.updated} Patient; ` +
          `the whole export re-read and compared)`,
      );
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
