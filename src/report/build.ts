import type { Catalogues } from './catalogue';
import type { ChainStatus } from './chain';
import type { ConfigurationSummary } from './configuration';
import { coverageOf, otherSmartIds, type Coverage } from './matching';
import type { TestRun } from './results';

/** When and from what a report was made. */
export interface Provenance {
  generatedAt: Date;
  /** The git commit of the work tree the report was made in, when there is one. */
  commit?: string;
  /** Whether that work tree had uncommitted changes. */
  uncommittedChanges?: boolean;
  resultsFile: string;
  /** The results file's modification time. */
  resultsWritten?: Date;
  configFile?: string;
}

/** Everything the page shows, computed; rendering only formats it. */
export interface ReviewerReport {
  provenance: Provenance;
  configuration?: ConfigurationSummary;
  run: TestRun;
  rules: Coverage[];
  leakVectors: Coverage[];
  smartChecks: Coverage[];
  /** SMART ids tests name that the checklist does not list. */
  otherSmart: Coverage[];
  chain: ChainStatus;
}

export interface ReportInputs {
  provenance: Provenance;
  catalogues: Catalogues;
  run: TestRun;
  configuration?: ConfigurationSummary;
  chain: ChainStatus;
}

export function buildReviewerReport(inputs: ReportInputs): ReviewerReport {
  const { catalogues, run } = inputs;
  return {
    provenance: inputs.provenance,
    ...(inputs.configuration ? { configuration: inputs.configuration } : {}),
    run,
    rules: coverageOf(catalogues.rules, run.tests),
    leakVectors: coverageOf(catalogues.leakVectors, run.tests),
    smartChecks: coverageOf(catalogues.smartChecks, run.tests),
    otherSmart: otherSmartIds(catalogues.smartChecks, run.tests),
    chain: inputs.chain,
  };
}
