import type { Command } from 'commander';
import { loadConfigFile, type GatewayConfig } from '../config';
import { exitOnFailure } from './fail';
import { commandGroup } from './program';

/** `inzage config check FILE`: validates a configuration and prints the settings it gives. */
export function registerConfigCheck(program: Command): void {
  commandGroup(program, 'config', 'Work with configuration files.')
    .command('check')
    .description('Validate a configuration file and print the settings it results in (secrets hidden).')
    .argument('<file>', 'configuration file (YAML or JSON)')
    .action(
      exitOnFailure((file: string) => {
        const config = loadConfigFile(file, process.env);
        console.log(`${file}: valid`);
        console.log(JSON.stringify(shownConfig(config), null, 2));
      }),
    );
}

/** The configuration with its secrets replaced by where they come from. */
function shownConfig(config: GatewayConfig): unknown {
  return {
    ...config,
    database:
      config.database.driver === 'postgres'
        ? { ...config.database, url: '[from DATABASE_URL]' }
        : config.database,
    ecd: {
      ...config.ecd,
      pushKeys: [...config.ecd.pushKeys.keys()].map((id) => `${id}: [from the environment]`),
    },
  };
}
