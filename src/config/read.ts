import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

/**
 * Reads a configuration file's text. A file that cannot be read is a configuration error like any
 * other (exit code 2), told in words: not `Error: EISDIR: illegal operation on a directory, read`.
 */
export function readConfigText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ field: '(file)', message: fileProblem(path, err) }]);
  }
}

/**
 * Why a file could not be read, in words an operator can act on.
 * @param path the file as the operator named it
 * @param err what reading it threw (a Node.js system error, with its errno `code`)
 * @returns one sentence naming the file
 */
export function fileProblem(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return `${path} does not exist`;
    case 'EISDIR':
      return `${path} is a directory, not a configuration file`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read ${path}: permission denied (run as a user who may read it)`;
    case 'ELOOP':
      return `cannot read ${path}: it is a loop of symbolic links`;
    default:
      return `cannot read ${path}${code ? ` (${code})` : ''}`;
  }
}
