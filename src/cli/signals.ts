// Ctrl-C / SIGTERM for long-running commands: the first requests a clean stop (the command kills what it
// started and writes what it has), a second one exits at once (exit handlers still clean up).
import { exitForSignal } from '../errors.js';
import { Interrupt } from '../run/interrupt.js';

export function interruptOnSignals(): { interrupt: Interrupt; dispose: () => void } {
  const interrupt = new Interrupt();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    interrupt.request(sig);
    if (signals > 1) process.exit(exitForSignal(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    interrupt,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
