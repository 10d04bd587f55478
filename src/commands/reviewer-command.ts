import { loadConfigFile, type GatewayConfig } from '../config';

/** What a reviewer's command prints and how it ends; scripts read the exit code. */
export interface CommandOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The action of a reviewer's command (`explain`, `audit verify`, `audit explain`, `audit breach`,
 * `audit prune`): reads the configuration (an invalid one exits 2), runs, prints, and ends with the
 * outcome's exit code. A failure to run at all exits 3, never a code that a script could take for a
 * verdict (PERMIT or DENY, intact or broken, agrees or differs).
 */
export async function runReviewerCommand(
  configPath: string,
  run: (config: GatewayConfig) => Promise<CommandOutcome>,
): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfigFile(configPath, process.env);
  } catch (err) {
    console.error(`inzage: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
  try {
    const outcome = await run(config);
    process.stdout.write(outcome.stdout);
    process.stderr.write(outcome.stderr);
    process.exitCode = outcome.exitCode;
  } catch (err) {
    console.error(`inzage: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(3);
  }
}
