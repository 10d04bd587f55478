import type { CatalogueItem } from './catalogue';
import type { TestResult, TestStatus } from './results';

/**
 * Which ids a test names, and so covers. An id counts wherever it stands in the test's title or in
 * the title of a describe block around it, but only as a whole id: `LV-17` is not `LV-1`, `A-13` not
 * `A-1`, `SMART-D1b` not `SMART-D1`, and an id glued to other letters (`XLV-1`, `LV-1x2`) is none.
 *
 * - Portal rules: `M-<n>`, `A-<n>`; leak vectors: `LV-<n>`.
 * - SMART checks: `SMART-<id>`, and a list after it names more (`SMART-O4, O5: …`, `SMART-I1/I3: …`).
 *   A letter after the number marks a variant of a check (`SMART-E3a` is check E3, `SMART-N1c` check
 *   N1) unless the catalogue has that id itself (D1b, T1s).
 */
const RULE_OR_VECTOR = /(?<![\w-])((?:LV|M|A)-\d+)(?!\w)/g;
const SMART_LIST =
  /(?<![\w-])SMART-((?:FED-\d+|[A-Z]{1,5}\d*[a-z]?)(?:\s*(?:,|\/|&|\band\b)\s*[A-Z]{1,3}\d+[a-z]?(?![\w-]))*)(?![\w-])/g;
const SMART_LIST_SEPARATOR = /\s*(?:,|\/|&|\band\b)\s*/;

/** The ids one title names, as written (`SMART-E3a` stays a variant here), in order, without repeats. */
export function idsInTitle(title: string): string[] {
  const ids: string[] = [];
  for (const m of title.matchAll(RULE_OR_VECTOR)) ids.push(m[1]!);
  for (const m of title.matchAll(SMART_LIST))
    for (const id of m[1]!.split(SMART_LIST_SEPARATOR)) ids.push(`SMART-${id}`);
  return [...new Set(ids)];
}

/** The ids a test names in its title and in the describe blocks around it. */
export function idsOfTest(test: Pick<TestResult, 'ancestors' | 'title'>): string[] {
  return [...new Set([...test.ancestors, test.title].flatMap(idsInTitle))];
}

/** A variant (`SMART-E3a`) as the check it belongs to, when the catalogue has that check and not the variant. */
export function catalogueIdOf(id: string, known: ReadonlySet<string>): string {
  if (known.has(id)) return id;
  const base = id.replace(/(\d)[a-z]+$/, '$1');
  return known.has(base) ? base : id;
}

/** How well an item is covered: the worst result of its tests, or uncovered when none names it. */
export type CoverageStatus = TestStatus | 'uncovered';

export interface Coverage {
  id: string;
  /** The catalogue's item; absent for an id tests name that no catalogue lists. */
  item?: CatalogueItem;
  tests: TestResult[];
  status: CoverageStatus;
}

/** A failed test fails the item; otherwise one passed test passes it; only skipped tests leave it skipped. */
export function coverageStatus(tests: readonly Pick<TestResult, 'status'>[]): CoverageStatus {
  if (tests.length === 0) return 'uncovered';
  if (tests.some((t) => t.status === 'failed')) return 'failed';
  if (tests.some((t) => t.status === 'passed')) return 'passed';
  return 'skipped';
}

/** Each test under every id it names (variants under their check), for the ids of `items`. */
export function indexTests(
  items: readonly CatalogueItem[],
  tests: readonly TestResult[],
): Map<string, TestResult[]> {
  const known = new Set(items.map((i) => i.id));
  const byId = new Map<string, TestResult[]>();
  for (const test of tests) {
    const ids = new Set(idsOfTest(test).map((id) => catalogueIdOf(id, known)));
    for (const id of ids) {
      const list = byId.get(id);
      if (list) list.push(test);
      else byId.set(id, [test]);
    }
  }
  return byId;
}

/** Every item of a catalogue with the tests that name it. */
export function coverageOf(items: readonly CatalogueItem[], tests: readonly TestResult[]): Coverage[] {
  const byId = indexTests(items, tests);
  return items.map((item) => {
    const covering = byId.get(item.id) ?? [];
    return { id: item.id, item, tests: covering, status: coverageStatus(covering) };
  });
}

/**
 * The SMART ids tests name that the checklist does not list (our own, such as `SMART-X1` for the
 * checks of §3.4 or `SMART-FED-1`), each with its tests, in id order.
 */
export function otherSmartIds(
  smartChecks: readonly CatalogueItem[],
  tests: readonly TestResult[],
): Coverage[] {
  const known = new Set(smartChecks.map((i) => i.id));
  return [...indexTests(smartChecks, tests)]
    .filter(([id]) => id.startsWith('SMART-') && !known.has(id))
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([id, covering]) => ({ id, tests: covering, status: coverageStatus(covering) }));
}
