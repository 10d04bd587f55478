/**
 * The reviewer's report (`inzage report`): one self-contained HTML page that puts the portal rules,
 * the leak vectors and the SMART checks beside the tests that cover them and their results in a
 * test run (jest's JSON output), with the active presets and the audit chain's state.
 */
export {
  CATALOGUE_FILES,
  defaultDocsDirectory,
  readCatalogues,
  type CatalogueItem,
  type Catalogues,
} from './catalogue';
export { parseTestRun, NotTestResults, type TestRun, type TestResult, type TestStatus } from './results';
export { summariseConfiguration, type ConfigurationSummary } from './configuration';
export { checkChain, type ChainStatus } from './chain';
export { buildReviewerReport, type Provenance, type ReviewerReport, type ReportInputs } from './build';
export { renderReport } from './render';
export type { Coverage, CoverageStatus } from './matching';
