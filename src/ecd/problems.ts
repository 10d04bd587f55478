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

/** The export was not applied; nothing changed. Carries every problem found (up to a cap). */
export class EcdImportError extends Error {
  readonly code = 'ERR_ECD_INVALID';
  constructor(
    readonly problems: readonly ImportProblem[],
    /** True when reading stopped at the cap and more problems may follow. */
    readonly truncated: boolean,
  ) {
    super(
      `the export was not applied (${problems.length}${truncated ? '+' : ''} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${describeProblem(p)}`).join('\n'),
    );
    this.name = 'EcdImportError';
  }
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
