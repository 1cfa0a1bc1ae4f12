import { formatRate, formatSeconds, ProgressReporter } from './progress';

describe('ProgressReporter', () => {
  const run = (tty: boolean) => {
    let now = 0;
    let out = '';
    const progress = new ProgressReporter((text) => (out += text), { label: 'backup', tty, clock: () => now });
    const at = (ms: number, done: number, total?: number) => {
      now = ms;
      progress.update(done, total);
    };
    return { progress, at, out: () => out };
  };

  it('stays silent for short runs and reports at most once per interval on a pipe', () => {
    const { progress, at, out } = run(false);
    at(1_000, 10_000, 100_000);
    at(4_999, 40_000, 100_000);
    expect(out()).toBe('');
    at(5_000, 50_000, 100_000);
    at(6_000, 60_000, 100_000);
    at(10_000, 99_000, 100_000);
    progress.finish();
    expect(out()).toBe('backup: 50000/100000 events (50%), 10000 events/s\nbackup: 99000/100000 events (99%), 9900 events/s\n');
  });

  it('rewrites one line on a terminal and clears it before the summary', () => {
    const { progress, at, out } = run(true);
    at(1_000, 1_000, 0);
    at(2_000, 2_000);
    progress.finish();
    expect(out()).toBe('\rbackup: 1000/0 events, 1000 events/s\x1b[K\rbackup: 2000 events, 1000 events/s\x1b[K\r\x1b[K');
  });

  it('formats durations and rates for summaries', () => {
    expect(formatSeconds(0.042)).toBe('42 ms');
    expect(formatSeconds(12.345)).toBe('12.3 s');
    expect(formatRate(5000, 2)).toBe('2500 events/s');
    expect(formatRate(5, 0)).toBe('-');
  });
});
