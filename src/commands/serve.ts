import type { Command } from 'commander';
import { DEFAULTS, loadConfigFile } from '../config';
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
Environment:
  DATABASE_URL   PostgreSQL URL (postgres://user:password@host/db); absent: the embedded PGlite database
  PORT           overrides server.port (default ${DEFAULTS.port})
  LOG_LEVEL      overrides log.level (default ${DEFAULTS.logLevel})

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
