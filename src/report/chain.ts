import { verifyChain, type ChainReport } from '../audit';
import type { Queryable } from '../store';

/** The audit chain as the report shows it. */
export type ChainStatus =
  | { state: 'not-checked'; reason: string }
  | { state: 'checked'; report: ChainReport; keyed: boolean }
  | { state: 'failed'; error: string };

/** verifyChain on a database: its report, or why it could not be made. */
export async function checkChain(q: Queryable, key: Buffer | undefined): Promise<ChainStatus> {
  try {
    return { state: 'checked', report: await verifyChain(q, key ? { key } : {}), keyed: key !== undefined };
  } catch (err) {
    return { state: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
}
