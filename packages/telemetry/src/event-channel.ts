// A typed node:diagnostics_channel channel whose events carry a tag: the instance that published
// them (one process may run several proxies or controllers, in tests and the demo), so each
// subscriber hears only its own. Publishing builds nothing when nobody listens, as undici's own
// channels do.

import diagnostics_channel from 'node:diagnostics_channel';

export class TaggedChannel<T> {
  private readonly channel: diagnostics_channel.Channel;

  /** `tagOf` reads the publishing instance out of an event. */
  constructor(
    readonly name: string,
    private readonly tagOf: (event: T) => object,
  ) {
    this.channel = diagnostics_channel.channel(name);
  }

  /** For a hot path: check before building the event. */
  get hasSubscribers(): boolean {
    return this.channel.hasSubscribers;
  }

  publish(event: T): void {
    if (this.channel.hasSubscribers) this.channel.publish(event);
  }

  /**
   * Calls `listener` with the events of `tag` only; returns the unsubscribe. A listener that
   * throws goes to `onError` when given (diagnostics_channel would make it an uncaught exception).
   */
  subscribe(
    tag: object,
    listener: (event: T) => void,
    onError?: (error: unknown) => void,
  ): () => void {
    const handler = (message: unknown) => {
      const event = message as T;
      if (this.tagOf(event) !== tag) return;
      if (onError === undefined) return listener(event);
      try {
        listener(event);
      } catch (error) {
        onError(error);
      }
    };
    diagnostics_channel.subscribe(this.name, handler);
    return () => {
      diagnostics_channel.unsubscribe(this.name, handler);
    };
  }
}
