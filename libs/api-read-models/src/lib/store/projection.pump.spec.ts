import { CatchUpRunner, ProjectionPump } from './projection.pump';

/** A runner that applies a long backlog in batches, one batch per `step()` the test allows. */
class SteppedRunner implements CatchUpRunner {
  private release: (() => void)[] = [];
  constructor(private readonly batches: number[]) {}

  async catchUp(onBatch?: (position: number) => void): Promise<number> {
    let reached = 0;
    for (const [i, position] of this.batches.entries()) {
      await new Promise<void>((resolve) => this.release.push(resolve));
      reached = position;
      if (i < this.batches.length - 1) onBatch?.(position);
    }
    return reached;
  }

  step(): void {
    this.release.shift()?.();
  }
}

describe('ProjectionPump', () => {
  it('releases a waiter as soon as a batch passes its position, before the catch-up ends', async () => {
    const runner = new SteppedRunner([500, 1000, 1500, 2000]);
    const pump = new ProjectionPump(runner, { idlePollMs: 60_000 });
    const waiting = pump.waitFor(700, 5_000);
    let released: number | undefined;
    void waiting.then((position) => (released = position));
    runner.step(); // 500
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBeUndefined();
    runner.step(); // 1000: the waiter's position is applied
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBe(1000);
    expect(pump.position).toBe(1000);
    for (let batch = 0; batch < 2; batch++) {
      runner.step();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(pump.position).toBe(2000);
    await pump.stop();
  });
});
