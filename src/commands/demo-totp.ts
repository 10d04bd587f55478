import type { Command } from 'commander';
import { totpCode } from '../auth';
import { exitOnFailure } from './fail';

/**
 * `inzage demo-totp SECRET`: the code an authenticator app would show now for a TOTP secret the
 * demo printed, for trying the login without one. Reads nothing but its argument.
 */
export function registerDemoTotp(program: Command): void {
  program
    .command('demo-totp')
    .description(
      "Print the current TOTP code for a demo account's printed secret (as an authenticator app would).",
    )
    .argument('<secret>', 'the TOTP secret (base32) the demo printed')
    .action(
      exitOnFailure((secret: string) => {
        let code: string;
        try {
          code = totpCode(secret.replace(/\s+/g, '').toUpperCase());
        } catch {
          throw new Error('not a TOTP secret: expected the base32 text the demo printed');
        }
        process.stdout.write(`${code}\n`);
      }),
    );
}
