// The CLI tests run the compiled command, as a user would: build it once before any test file runs.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function buildOnce() {
  const root = join(__dirname, '..');
  // The same build as `npm run build`: compiled, and the bin made executable (`npx inzage`).
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
};
