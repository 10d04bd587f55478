import type { Command } from 'commander';
import { describeConfig, loadConfigFile } from '../config';
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
        console.log(JSON.stringify(describeConfig(config), null, 2));
      }),
    );
}
