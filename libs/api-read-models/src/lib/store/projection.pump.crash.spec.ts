import { CatchUpRunner, ProjectionPump } from './projection.pump';

/** A runner over a database whose read model can lose its newest batches, like a crash with asynchronous commit. */
class CrashableRunner implements CatchUpRunner {
  checkpoint = 0;
  head = 0;

  async catchUp(): Promise<number> {
    this.checkpoint = this.head;
    return this.checkpoint;
  }
}

describe('ProjectionPump after the database lost its newest batches', () => {
  it('waits again for positions it had reached, until they are applied again', async () => {
    const runner = new CrashableRunner();
    const regressions: [number, number][] = [];
    const pump = new ProjectionPump(runner, { idlePollMs: 60_000, onRegression: (reached, found) => regressions.push([reached, found]) });
    await pump.start();
    runner.head = 10;
    await pump.waitFor(10, 1_000);
    expect(pump.position).toBe(10);

    // The crash: the database is back at 7; the log still has 8..10 (and 11 comes in).
    runner.checkpoint = 7;
    runner.head = 11;
    pump.regressed(7);
    expect(regressions).toEqual([[10, 7]]);
    await expect(pump.waitFor(10, 1_000)).resolves.toBe(11);
    expect(pump.position).toBe(11);

    // A read that is merely at or ahead of the pump is no regression.
    pump.regressed(11);
    pump.regressed(12);
    expect(regressions).toHaveLength(1);
    await pump.stop();
  });
});
