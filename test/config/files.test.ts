import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config';
import { fileProblem, readConfigText } from '../../src/config/read';

const dir = mkdtempSync(join(tmpdir(), 'inzage-files-'));

/** An error as Node.js raises it for a failed system call, with its errno code. */
function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, open`), { code, errno: -1, syscall: 'open' });
}

function issueOf(path: string): ConfigError['issues'][number] | undefined {
  try {
    readConfigText(path);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues[0];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('a configuration file that cannot be read', () => {
  it('B10: a directory is named as a directory, not as EISDIR', () => {
    expect(issueOf(dir)).toEqual({
      field: '(file)',
      message: `${dir} is a directory, not a configuration file`,
    });
  });

  it('B10: a missing file, or a path through a file, does not exist', () => {
    const missing = join(dir, 'missing.yaml');
    expect(issueOf(missing)).toEqual({ field: '(file)', message: `${missing} does not exist` });
    const file = join(dir, 'plain.yaml');
    writeFileSync(file, 'x: 1\n');
    expect(issueOf(join(file, 'inner.yaml'))?.message).toBe(`${join(file, 'inner.yaml')} does not exist`);
  });

  // Root reads any file whatever its mode, so as root the read is made by the unprivileged user
  // `nobody` (runuser), and the error the system really raised is put through the same mapping.
  const asRoot = process.getuid?.() === 0;
  it('B10: an unreadable file: permission denied, in words', () => {
    const file = join(dir, 'unreadable.yaml');
    writeFileSync(file, 'x: 1\n');
    chmodSync(file, 0o000);
    if (!asRoot) {
      expect(issueOf(file)?.message).toBe(
        `cannot read ${file}: permission denied (run as a user who may read it)`,
      );
      return;
    }
    chmodSync(dir, 0o755);
    const probe = spawnSync(
      'runuser',
      [
        '-u',
        'nobody',
        '--',
        process.execPath,
        '-e',
        `try { require('node:fs').readFileSync(${JSON.stringify(file)}) } catch (e) { process.stdout.write(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall })) }`,
      ],
      { encoding: 'utf8' },
    );
    const raised = JSON.parse(probe.stdout) as { code: string; errno: number; syscall: string };
    expect(raised.code).toBe('EACCES');
    expect(fileProblem(file, Object.assign(new Error(raised.code), raised))).toBe(
      `cannot read ${file}: permission denied (run as a user who may read it)`,
    );
  });

  it('B10: each errno code becomes a sentence naming the file', () => {
    const path = 'config/inzage.yaml';
    expect(fileProblem(path, systemError('EACCES'))).toBe(
      'cannot read config/inzage.yaml: permission denied (run as a user who may read it)',
    );
    expect(fileProblem(path, systemError('EPERM'))).toBe(fileProblem(path, systemError('EACCES')));
    expect(fileProblem(path, systemError('EISDIR'))).toBe(
      'config/inzage.yaml is a directory, not a configuration file',
    );
    expect(fileProblem(path, systemError('ENOENT'))).toBe('config/inzage.yaml does not exist');
    expect(fileProblem(path, systemError('ELOOP'))).toBe(
      'cannot read config/inzage.yaml: it is a loop of symbolic links',
    );
    expect(fileProblem(path, systemError('EIO'))).toBe('cannot read config/inzage.yaml (EIO)');
    expect(fileProblem(path, new Error('odd'))).toBe('cannot read config/inzage.yaml');
  });
});
