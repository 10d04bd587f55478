// The build: compiles the sources (tsconfig.build.json) into dist/, and makes the `inzage` bin
// executable. tsc writes files with the default mode, and `npx inzage` (and a global install's link)
// runs dist/src/cli.js directly, so without the mode a fresh build answers "Permission denied".
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
chmodSync(join(root, 'dist/src/cli.js'), 0o755);
