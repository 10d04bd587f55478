import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Which catalogue an item comes from. */
export type CatalogueKind = 'rule' | 'leak-vector' | 'smart';

/** One thing tests must cover: a portal rule, a leak vector or a SMART check. */
export interface CatalogueItem {
  kind: CatalogueKind;
  /** As tests name it: `M-3`, `A-13`, `LV-7`, `SMART-D1b`. */
  id: string;
  /** The group it is listed under: the organisation of a rule, the kit section of a SMART check. */
  group: string;
  /** A rule's terms, a leak vector's title, a SMART check's request: plain text. */
  title: string;
  /** A rule's "the gateway must", a leak vector's need, a SMART check's expected result. */
  detail?: string;
}

/** The three catalogues, in the order of their documents. */
export interface Catalogues {
  rules: CatalogueItem[];
  leakVectors: CatalogueItem[];
  smartChecks: CatalogueItem[];
}

/** The vendored documents the catalogues are read from, under the repository's docs/. */
export const CATALOGUE_FILES = {
  rules: 'portal-rules.md',
  leakVectors: 'leak-vectors.md',
  smartChecks: 'smart-checks.md',
} as const;

/** The repository's docs/ directory, found upwards from here (compiled or not, the depth differs). */
export function defaultDocsDirectory(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'docs', CATALOGUE_FILES.rules)))
      return join(dir, 'docs');
  }
  throw new Error(`no docs/${CATALOGUE_FILES.rules} found above ${from}`);
}

/** Reads and parses the three catalogues from a docs directory. */
export function readCatalogues(docsDirectory: string): Catalogues {
  const read = (name: string) => readFileSync(join(docsDirectory, name), 'utf8');
  return {
    rules: parsePortalRules(read(CATALOGUE_FILES.rules)),
    leakVectors: parseLeakVectors(read(CATALOGUE_FILES.leakVectors)),
    smartChecks: parseSmartChecks(read(CATALOGUE_FILES.smartChecks)),
  };
}

/**
 * portal-rules.md: a table per organisation (`## Zorgcentra Meerlanden (…)`), a row per rule
 * `| M-1 | the terms say | the gateway must |`.
 */
export function parsePortalRules(markdown: string): CatalogueItem[] {
  return tableRows(markdown)
    .filter((row) => /^[MA]-\d+$/.test(row.cells[0] ?? ''))
    .map((row) => ({
      kind: 'rule',
      id: row.cells[0]!,
      group: row.heading,
      title: plainText(row.cells[1] ?? ''),
      ...(row.cells[2] ? { detail: plainText(row.cells[2]) } : {}),
    }));
}

/**
 * leak-vectors.md: a numbered list, `1. **Totals and counts.**` followed by `- *Need:* …`; the
 * number n is LV-n.
 */
export function parseLeakVectors(markdown: string): CatalogueItem[] {
  const items: CatalogueItem[] = [];
  for (const line of markdown.split('\n')) {
    const item = /^(\d+)\.\s+\*\*(.+?)\*\*/.exec(line);
    if (item) {
      items.push({
        kind: 'leak-vector',
        id: `LV-${item[1]}`,
        group: 'Leak vectors',
        title: plainText(item[2]!).replace(/\.$/, ''),
      });
      continue;
    }
    const need = /^\s+-\s+\*Need:\*\s*(.+)$/.exec(line);
    const last = items.at(-1);
    if (need && last && last.detail === undefined) last.detail = plainText(need[1]!);
  }
  return items;
}

/** smart-checks.md: a table per kit section, a row per check `| D1 | Inferno id | request | expected |`. */
export function parseSmartChecks(markdown: string): CatalogueItem[] {
  return tableRows(markdown)
    .filter((row) => /^[A-Z]{1,3}\d+[a-z]?$/.test(row.cells[0] ?? ''))
    .map((row) => ({
      kind: 'smart',
      id: `SMART-${row.cells[0]}`,
      group: row.heading,
      title: plainText(row.cells[2] ?? ''),
      ...(row.cells[3] ? { detail: plainText(row.cells[3]) } : {}),
    }));
}

interface TableRow {
  /** The nearest `##` heading above the row. */
  heading: string;
  cells: string[];
}

/** Every table row of a Markdown document (header and separator rows included), split into cells. */
function tableRows(markdown: string): TableRow[] {
  const rows: TableRow[] = [];
  let heading = '';
  for (const line of markdown.split('\n')) {
    const h = /^##\s+(.+)$/.exec(line);
    if (h) heading = plainText(h[1]!);
    else if (line.startsWith('|')) rows.push({ heading, cells: splitRow(line) });
  }
  return rows;
}

/** The cells of `| a | b \| c |`: an escaped pipe belongs to its cell. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '\\' && inner[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell.trim());
  return cells;
}

/** Inline Markdown as plain text: emphasis and code marks dropped, links as their text. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}
