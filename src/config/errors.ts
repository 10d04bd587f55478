/** One thing wrong with the configuration, located as precisely as the input allows. */
export interface ConfigIssue {
  /** Dotted path of the field ("server.port", "organisations[0].preset") or the environment variable. */
  field: string;
  message: string;
  /** 1-based line in the configuration file, when the field is in the file. */
  line?: number;
}

/** The configuration cannot be used; start-up stops and prints every issue. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `invalid configuration (${source}):\n` +
        issues.map((i) => `  - ${i.line ? `line ${i.line}: ` : ''}${i.field}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
