import { GatewayError } from '../errors';
import { redactText } from './redact';

/** One thing wrong with the configuration, located as precisely as the input allows. */
export interface ConfigIssue {
  /** Dotted path of the field ("server.port", "organisations[0].preset") or the environment variable. */
  field: string;
  message: string;
  /** 1-based line in the configuration file, when the field is in the file. */
  line?: number;
}

/**
 * ERR_CONFIG_INVALID: the configuration cannot be used; start-up stops and prints every issue, one
 * per line (`  - line N: field: message`). Status 500: when it surfaces in a request at all, the
 * server is at fault, not the caller. Messages pass through `redactText` once more here, so that no
 * path that builds an issue can leak a credential it quoted.
 */
export class ConfigError extends GatewayError {
  readonly issues: readonly ConfigIssue[];

  constructor(
    readonly source: string,
    issues: readonly ConfigIssue[],
  ) {
    const clean = issues.map(cleanIssue);
    super(
      'ERR_CONFIG_INVALID',
      500,
      `invalid configuration (${redactText(source)}):\n` +
        clean.map((i) => `  - ${i.line ? `line ${i.line}: ` : ''}${i.field}: ${i.message}`).join('\n'),
    );
    this.issues = clean;
  }
}

/** Redacts the texts, and drops a line that is not a real 1-based line (never "line 0"). */
function cleanIssue(issue: ConfigIssue): ConfigIssue {
  const clean: ConfigIssue = { field: redactText(issue.field), message: redactText(issue.message) };
  if (issue.line !== undefined && Number.isInteger(issue.line) && issue.line >= 1) clean.line = issue.line;
  return clean;
}
