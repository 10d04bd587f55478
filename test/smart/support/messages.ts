import type { MessageSender, Recipient } from '../../../src/auth';

/**
 * Stands in for the SMS and e-mail gateway (a system outside Inzage): keeps the latest six-digit
 * code sent to each address, so that a scripted login can type it like a person would.
 */
export class CapturedMessages implements MessageSender {
  readonly #latest = new Map<string, string>();

  async send(to: Recipient, text: string): Promise<void> {
    const code = /\b(\d{6})\b/.exec(text)?.[1];
    if (code !== undefined) this.#latest.set(to.address, code);
  }

  /** The latest code sent to an address (E.164 for a mobile number). */
  latestCode(address: string): string | undefined {
    return this.#latest.get(address);
  }
}
