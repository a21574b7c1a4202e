// Ctrl-C / SIGTERM as data: the CLI requests, the running run reacts (kills its tree), the loop stops.

export class Interrupt {
  private signalName: string | null = null;
  private readonly listeners = new Set<(signal: string) => void>();

  get requested(): string | null {
    return this.signalName;
  }

  request(signal: string): void {
    this.signalName ??= signal;
    for (const l of [...this.listeners]) l(signal);
  }

  /** Calls `listener` on a request (at once if one already happened); returns the unsubscribe function. */
  onRequest(listener: (signal: string) => void): () => void {
    this.listeners.add(listener);
    if (this.signalName) listener(this.signalName);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
