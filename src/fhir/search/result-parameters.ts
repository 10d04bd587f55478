import type { SearchParameter } from '../../consent';
import { MalformedRequest } from '../errors';

/** `_summary` values the gateway applies itself (`count` is a total without entries). */
export type SummaryMode = 'true' | 'false' | 'text' | 'data' | 'count';

/** `_total` as the gateway reads it: only `accurate` asks for a total; the others give none. */
export type TotalMode = 'none' | 'estimate' | 'accurate';

/**
 * A search split into what narrow sees and what the gateway applies itself. narrow refuses
 * `_total`, `_summary` and `_elements` (the upstream would compute them on what it holds, hidden
 * data included), and `_count` is the gateway's page size, not the upstream's: so these are taken
 * out here and applied after judge, on the judged set.
 */
export interface ResultParameters {
  /** The search parameters for narrow (with `_sort`, `_include`, `_revinclude`; without the rest). */
  readonly filters: readonly SearchParameter[];
  /** Matches per page: 0 for a total without entries. */
  readonly count: number;
  /** Whether the gateway counts a total on the narrowed and judged set. */
  readonly total: boolean;
  readonly summary?: SummaryMode;
  /** `_elements`: the element names asked for, without a type prefix. */
  readonly elements?: readonly string[];
}

const SUMMARY: ReadonlySet<string> = new Set(['true', 'false', 'text', 'data', 'count']);
const TOTAL: ReadonlySet<string> = new Set(['none', 'estimate', 'accurate']);
const RESULT_NAMES: ReadonlySet<string> = new Set(['_count', '_total', '_summary', '_elements']);
const ELEMENT = /^[a-z][A-Za-z0-9]{0,63}$/;

export function resultParameters(
  resourceType: string,
  parameters: readonly SearchParameter[],
  pageSize: number,
  maxPageSize: number,
): ResultParameters {
  const only = (name: string): SearchParameter | undefined => {
    const given = parameters.filter((p) => p.name === name);
    if (given.length > 1) throw new MalformedRequest(`a search takes one ${name}`);
    if (given[0]?.modifier !== undefined) throw new MalformedRequest(`${name} takes no modifier`);
    return given[0];
  };
  const countParameter = only('_count');
  const totalParameter = only('_total');
  const summaryParameter = only('_summary');
  const elementsParameter = only('_elements');

  if (totalParameter && !TOTAL.has(totalParameter.value))
    throw new MalformedRequest('_total takes none, estimate or accurate');
  if (summaryParameter && !SUMMARY.has(summaryParameter.value))
    throw new MalformedRequest('_summary takes true, false, text, data or count');
  const summary = summaryParameter?.value as SummaryMode | undefined;
  if (elementsParameter && summary !== undefined && summary !== 'false')
    throw new MalformedRequest('_elements and _summary cannot be combined');

  let count = pageSize;
  if (countParameter) {
    if (!/^\d{1,4}$/.test(countParameter.value)) throw new MalformedRequest('_count takes a number');
    count = Math.min(Number(countParameter.value), maxPageSize);
  }
  if (summary === 'count') count = 0;

  return {
    filters: parameters.filter((p) => !RESULT_NAMES.has(p.name)),
    count,
    // `estimate` would be the upstream's (hidden data counted), so it gives no total at all.
    total: totalParameter?.value === 'accurate' || summary === 'count',
    ...(summary === undefined ? {} : { summary }),
    ...(elementsParameter ? { elements: elementNames(resourceType, elementsParameter.value) } : {}),
  };
}

/** `_elements=status,Observation.code` → ['status', 'code']; another type's prefix is refused. */
function elementNames(resourceType: string, value: string): string[] {
  return value.split(',').map((raw) => {
    const name = raw.trim();
    const bare = name.startsWith(`${resourceType}.`) ? name.slice(resourceType.length + 1) : name;
    if (!ELEMENT.test(bare))
      throw new MalformedRequest(
        `_elements takes element names of ${resourceType}, not '${name.slice(0, 64)}'`,
      );
    return bare;
  });
}
