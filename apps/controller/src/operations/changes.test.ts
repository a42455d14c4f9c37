import { describe, expect, it } from 'vitest';
import { type Change, ChangeBus } from './changes.ts';

describe('change bus', () => {
  it('tells every listener in the order they subscribed, and resolves once all are done', async () => {
    const bus = new ChangeBus();
    const heard: string[] = [];
    bus.subscribe(async (change) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      heard.push(`slow ${change.kind}`);
    });
    bus.subscribe((change) => {
      heard.push(`fast ${change.kind}`);
    });
    await bus.emit({ kind: 'config', revision: 3 });
    expect(heard).toEqual(['slow config', 'fast config']);
  });

  it('stops telling a listener once it unsubscribed', async () => {
    const bus = new ChangeBus();
    const heard: Change[] = [];
    const unsubscribe = bus.subscribe((change) => {
      heard.push(change);
    });
    await bus.emit({ kind: 'trust' });
    unsubscribe();
    await bus.emit({ kind: 'liveness' });
    expect(heard).toEqual([{ kind: 'trust' }]);
  });

  it("fails the emit with a listener's failure, so the caller learns its change did not go out", async () => {
    const bus = new ChangeBus();
    const after: Change[] = [];
    bus.subscribe(() => {
      throw new Error('push failed');
    });
    bus.subscribe((change) => {
      after.push(change);
    });
    await expect(bus.emit({ kind: 'revocation', serial: '0A' })).rejects.toThrow('push failed');
    expect(after).toEqual([]);
  });
});
