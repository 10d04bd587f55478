// The npm registry these machines reach serves the native bindings of `unrs-resolver` (used by
// jest-resolve) for Linux x64 and arm64 only, so `npm install` cannot record the other platforms'
// optional packages in package-lock.json, and `npm ci` then refuses the lock file ("Missing: … from
// lock file"). This adds a record for each such package, marked optional and limited to its os and
// cpu, so npm ci skips it on every machine it does not fit. Run it after changing dependencies:
//   npm install && node scripts/lockfile-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));

/** os and cpu from a napi-rs style platform package name (…-<os>-<cpu>[-<abi>]). */
function platformOf(name) {
  const m =
    /-(android|darwin|freebsd|linux|openharmony|win32)-(arm64|arm|x64|ia32|loong64|ppc64|riscv64|s390x)(-[a-z0-9]+)?$/.exec(
      name,
    );
  if (!m) return undefined;
  const platform = { os: [m[1]], cpu: [m[2]] };
  if (m[3] === '-musl' || m[3] === '-musleabihf') platform.libc = ['musl'];
  if (m[3] === '-gnu' || m[3] === '-gnueabihf') platform.libc = ['glibc'];
  return platform;
}

let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = key === '' ? 'node_modules' : `${key}/node_modules`;
    if (lock.packages[`${base}/${dep}`] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform || !/^\d+\.\d+\.\d+$/.test(version)) continue;
    lock.packages[`node_modules/${dep}`] = { version, ...platform, optional: true };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} platform package record(s)`);
