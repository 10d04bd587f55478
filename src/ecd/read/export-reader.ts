import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { csvBatches } from './csv-reader';
import { flatten, READ_CHUNK_BYTES } from './input';
import { jsonBatches } from './json-reader';
import { EcdReadError, positionAt, type EcdRecord, type ReadLimits } from './types';

/** Picks the reader by what the path is (a .json file, or a directory of .csv files). */
export function readEcdExport(path: string, options?: ReadLimits): AsyncGenerator<EcdRecord> {
  return flatten(exportBatches(path, options));
}

async function* exportBatches(path: string, options: ReadLimits | undefined): AsyncGenerator<EcdRecord[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (err) {
    throw new EcdReadError(
      'ERR_ECD_IO',
      `cannot read the export: ${(err as Error).message}`,
      positionAt(path),
    );
  }
  if (isDirectory) {
    yield* csvBatches(path, options);
  } else if (path.toLowerCase().endsWith('.json')) {
    yield* jsonBatches(
      () => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
      path,
      options,
      true,
    );
  } else {
    throw new EcdReadError(
      'ERR_ECD_STRUCTURE',
      'an export is a .json file or a directory of .csv files; this is neither',
      positionAt(path),
    );
  }
}
