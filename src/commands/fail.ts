import { ConfigError } from '../config';
import { EcdImportError } from '../ecd';

/**
 * Prints what went wrong in words an operator can act on, and exits non-zero: 2 an invalid
 * configuration, 3 an ECD export with problems, 1 anything else.
 */
export function fail(err: unknown): never {
  if (err instanceof EcdImportError) {
    // The public text counts the problems; the list itself is the operator's to read.
    console.error(`inzage: ${err.message}:\n${err.detail ?? ''}`);
    process.exit(3);
  }
  if (err instanceof ConfigError) {
    console.error(`inzage: ${err.message}`);
    process.exit(2);
  }
  console.error(`inzage: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

/** Wraps a command's action so that any failure ends in `fail`. */
export function exitOnFailure<A extends unknown[]>(
  action: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (err) {
      fail(err);
    }
  };
}
