// The npm registry these machines reach serves the native bindings of `unrs-resolver` (used by
// jest-resolve) for Linux x64 and arm64 only, so `npm install` cannot record the other platforms'
// optional packages in package-lock.json, and `npm ci` then refuses the lock file ("Missing: … from
// lock file"). This adds a record for each such package, marked optional and limited to its os and
// cpu, so npm ci skips it on every machine it does not fit. Run it after changing dependencies:
//   npm install && node scripts/lockfile-platforms.mjs
//
// The records and the file are written exactly as npm itself would write them (the dependent's dev
// flag, npm's key order), so that a later `npm install` in a fresh clone leaves the file untouched.
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

// npm (arborist, through json-stringify-nice) puts these keys first at every level, then scalars and
// arrays before objects, then the rest in English locale order.
const NPM_FIRST_KEYS = [
  'name',
  'version',
  'lockfileVersion',
  'resolved',
  'integrity',
  'requires',
  'packages',
  'dependencies',
];

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

function npmKeyOrder([a, aValue], [b, bValue]) {
  if (isObject(aValue) !== isObject(bValue)) return isObject(aValue) ? 1 : -1;
  const ia = NPM_FIRST_KEYS.indexOf(a);
  const ib = NPM_FIRST_KEYS.indexOf(b);
  if (ia >= 0 || ib >= 0) return ia < 0 ? 1 : ib < 0 ? -1 : ia - ib;
  return a.localeCompare(b, 'en');
}

function npmStringify(value) {
  const sorted = (_key, v) => (isObject(v) ? Object.fromEntries(Object.entries(v).sort(npmKeyOrder)) : v);
  return `${JSON.stringify(value, sorted, 2)}\n`;
}

let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = key === '' ? 'node_modules' : `${key}/node_modules`;
    if (lock.packages[`${base}/${dep}`] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform || !/^\d+\.\d+\.\d+$/.test(version)) continue;
    // A package reached only through a dev dependency is dev itself; npm adds the flag otherwise.
    const flags = { ...(entry.dev ? { dev: true } : {}), ...(entry.peer ? { peer: true } : {}) };
    lock.packages[`node_modules/${dep}`] = { version, ...platform, ...flags, optional: true };
    added += 1;
  }
}
writeFileSync(path, npmStringify(lock));
console.log(`package-lock.json: added ${added} platform package record(s)`);
