import type { Logger } from '../http';

/**
 * A terminal's Ctrl-C reaches every process in the foreground group, and npm passes on what it
 * receives, so under `npm start` one keypress arrives twice within milliseconds. Only a repeat after
 * this long is a second request.
 */
const SAME_REQUEST_MS = 1_000;
const PARENT_CHECK_MS = 1_000;

/**
 * Stops cleanly on SIGTERM or SIGINT: runs `stop` once, then exits 0 (1 if stopping failed). Another
 * signal while stopping, a second or more after the first, exits at once, for an operator who really
 * means it.
 *
 * Started by an npm script, the process also stops when the process that started it goes away: a
 * wrapper that dies of a signal without passing it on (a shell does) must not leave the gateway
 * running on its ports with parent 1.
 */
export function stopOnSignals(stop: () => Promise<void>, log: Logger): void {
  let stoppingSince: number | undefined;
  const begin = (reason: Record<string, unknown>, message: string): void => {
    stoppingSince = Date.now();
    log.info(reason, message);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingSince === undefined) return begin({ signal }, 'signal received: stopping');
    if (Date.now() - stoppingSince < SAME_REQUEST_MS) return;
    log.warn({ signal }, 'second signal: exiting without waiting');
    process.exit(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (process.env.npm_lifecycle_event !== undefined) {
    stopWhenOrphaned(() => {
      if (stoppingSince === undefined) begin({}, 'the process that started this one has exited: stopping');
    });
  }
}

/** Calls `orphaned` once the parent has gone, which shows as a new parent (init, or a subreaper). */
function stopWhenOrphaned(orphaned: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    orphaned();
  }, PARENT_CHECK_MS);
  // Watching must not by itself keep the process alive.
  timer.unref();
}
