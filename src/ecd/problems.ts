import { GatewayError } from '../errors';

/** One reason an ECD export cannot be applied, located so the ECD's operator can find it. */
export interface ImportProblem {
  /** File name, or "request body" for a push. */
  file: string;
  /** 1-based line where the record (or the syntax error) is. */
  line?: number;
  /** 0-based position of the record in its array or CSV file. */
  index?: number;
  entity?: string;
  /** The ECD id of the record, when it has one. */
  recordId?: string;
  /** The field at fault, dotted ("birthDate", "name.given[0]"), or "" for the record as a whole. */
  field: string;
  reason: string;
}

/**
 * ERR_ECD_INVALID (422): the export was not applied, and nothing changed. The public text says how
 * many problems there are; the problems themselves are in `problems` (for the push response and the
 * command line) and, described one per line, in `detail` (for the log).
 */
export class EcdImportError extends GatewayError {
  constructor(
    readonly problems: readonly ImportProblem[],
    /** True when reading stopped at the cap and more problems may follow. */
    readonly truncated: boolean,
  ) {
    const n = `${problems.length}${truncated ? '+' : ''}`;
    super(
      'ERR_ECD_INVALID',
      422,
      `the export was not applied; nothing changed (${n} problem${problems.length === 1 && !truncated ? '' : 's'})`,
      { detail: describeProblems(problems) },
    );
  }
}

/** The problems, one per line, as an operator reads them. */
export function describeProblems(problems: readonly ImportProblem[]): string {
  return problems.map((p) => `  - ${describeProblem(p)}`).join('\n');
}

export function describeProblem(p: ImportProblem): string {
  const where = [p.file, p.line !== undefined ? `line ${p.line}` : undefined].filter(Boolean).join(' ');
  const what = [
    p.entity && p.index !== undefined ? `${p.entity}[${p.index}]` : p.entity,
    p.recordId ? `(id ${p.recordId})` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const field = p.field ? `${p.field}: ` : '';
  return `${where}${what ? ` ${what}` : ''}: ${field}${p.reason}`;
}

/** The problems an import collects, up to a cap; past it, only that there were more is kept. */
export class ProblemList {
  readonly #problems: ImportProblem[] = [];
  #truncated = false;

  constructor(readonly max: number) {}

  add(problem: ImportProblem): void {
    if (this.#problems.length >= this.max) {
      this.#truncated = true;
      return;
    }
    this.#problems.push(problem);
  }

  /** True once a problem had to be dropped: reading on would only find more. */
  get full(): boolean {
    return this.#truncated;
  }

  get count(): number {
    return this.#problems.length;
  }

  /** Ends the import when anything was found. */
  throwIfAny(): void {
    if (this.#problems.length > 0) throw new EcdImportError([...this.#problems], this.#truncated);
  }
}
