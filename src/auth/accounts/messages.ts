import { appendFile } from 'node:fs/promises';

/** Where a message goes: an e-mail address or a mobile number (E.164). */
export interface Recipient {
  readonly channel: 'email' | 'sms';
  readonly address: string;
}

/**
 * Sends short messages (verification codes) to people. Pluggable: production wires an e-mail or SMS
 * gateway, the demo an OutboxFileSender.
 */
export interface MessageSender {
  send(to: Recipient, text: string): Promise<void>;
}

/**
 * A sender for the demo and the tests: appends each message as one JSON line
 * (`{"at", "channel", "to", "text"}`) to a file it names, instead of sending anything.
 */
export class OutboxFileSender implements MessageSender {
  constructor(
    readonly path: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(to: Recipient, text: string): Promise<void> {
    const line = JSON.stringify({ at: this.now().toISOString(), channel: to.channel, to: to.address, text });
    // One write per line with O_APPEND: lines from concurrent sends do not interleave.
    await appendFile(this.path, `${line}\n`, { encoding: 'utf8', mode: 0o600 });
  }
}
