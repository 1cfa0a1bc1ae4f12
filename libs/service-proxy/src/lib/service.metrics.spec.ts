import { ServiceMetrics } from './service.metrics';

describe('ServiceMetrics', () => {
  it('computes rps, error rate and percentiles over the sliding window only', () => {
    let now = 1_000_000;
    const m = new ServiceMetrics(10_000, () => now);
    now += 20_000;
    // 50 requests spread over 5 s, 5 of them 5xx.
    for (let i = 0; i < 50; i++) {
      now += 100;
      m.requestCompleted(i % 10 === 0 ? 503 : 200, i < 45 ? 10 : 400);
    }
    let w = m.window();
    expect(w.requests).toBe(50);
    expect(w.errors5xx).toBe(5);
    // The window spans 9 full slots plus the elapsed part of the current one.
    expect(w.seconds).toBeGreaterThanOrEqual(9);
    expect(w.seconds).toBeLessThanOrEqual(10);
    expect(w.requests / w.seconds).toBeGreaterThanOrEqual(5);
    expect(w.requests / w.seconds).toBeLessThanOrEqual(50 / 9);
    expect(w.latency.percentile(0.5)).toBeCloseTo(10, -1);
    expect(w.latency.percentile(0.99)).toBeGreaterThan(300);

    // 8 s later the first half has left the window; totals keep everything.
    now += 8_000;
    w = m.window();
    expect(w.requests).toBeLessThan(50);
    expect(w.requests).toBeGreaterThan(0);
    now += 20_000;
    expect(m.window().requests).toBe(0);
    expect(m.requests).toBe(50);
    expect(m.errors5xx).toBe(5);
    expect(m.cumulativeBuckets().at(-1)).toEqual({ leMs: Infinity, count: 50 });
    expect(m.cumulativeBuckets().find((b) => b.leMs === 10)?.count).toBe(45);
  });

  it('uses the time since start when the window is not full yet', () => {
    let now = 5_000;
    const m = new ServiceMetrics(10_000, () => now);
    now += 2_000;
    for (let i = 0; i < 20; i++) m.connectionOpened();
    const w = m.window();
    expect(w.seconds).toBeCloseTo(2, 1);
    expect(w.connections).toBe(20);
    expect(m.activeConnections).toBe(20);
    m.connectionClosed(10, 20);
    expect(m.activeConnections).toBe(19);
    expect(m.closedBytesOut).toBe(20);
  });
});
