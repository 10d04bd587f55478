import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';

/** The top-level `inzage` command, without subcommands: name, version, help. */
export function inzageProgram(): Command {
  return new Command('inzage')
    .description('Inzage: the consent-enforcing FHIR gateway for Dutch care client portals.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true });
}

/** A group such as `ecd` or `config`: the existing one, or a new one. */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/** `-c, --config <file>` (or INZAGE_CONFIG), required. */
export function configOption(description: string): Option {
  return new Option('-c, --config <file>', description).env('INZAGE_CONFIG').makeOptionMandatory();
}

/** An option parser for whole numbers in a range. */
export function integer(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** The version in package.json, found upwards from here (compiled or not, the depth differs). */
function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === 'inzage' && manifest.version) return manifest.version;
  }
  return 'unknown';
}
