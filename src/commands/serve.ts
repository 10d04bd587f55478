import type { Command } from 'commander';
import { ENVIRONMENT_VARIABLES, loadConfigFile } from '../config';
import { createLogger } from '../http';
import { exitOnFailure } from './fail';
import { configOption } from './program';
import { startGateway } from './start-gateway';
import { stopOnSignals } from './stop-on-signals';

/** `inzage serve`: the gateway in production, from a configuration file and the environment. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway in production: a configuration file plus the environment.')
    .addOption(configOption('configuration file (YAML or JSON); see config/inzage.example.yaml'))
    .addHelpText(
      'after',
      `
Environment (every variable the gateway reads; the README has the full table):
${environmentHelp()}

Stops gracefully on SIGTERM: requests in flight finish, then the database is closed.`,
    )
    .action(
      exitOnFailure(async (opts: { config: string }) => {
        const config = loadConfigFile(opts.config, process.env);
        const log = createLogger(config.log.level);
        const gateway = await startGateway(config, { log });
        stopOnSignals(() => gateway.close(), log);
      }),
    );
}

/** The environment variables in help-text form, from the same catalogue as the README's table. */
function environmentHelp(): string {
  const width = Math.max(...ENVIRONMENT_VARIABLES.map((v) => v.name.length));
  return ENVIRONMENT_VARIABLES.map((v) => {
    const holds = v.holds.replaceAll('`', '');
    return `  ${v.name.padEnd(width)}  ${holds}${v.secret ? ' (secret)' : ''}`;
  }).join('\n');
}
