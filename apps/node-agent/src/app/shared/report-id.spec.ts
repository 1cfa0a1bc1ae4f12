import { z } from 'zod';
import { factReportId, randomReportId } from './report-id';

describe('report ids', () => {
  it('derives the same valid UUID from the same fact and different ones from different facts', () => {
    const a = factReportId('node-1', 'abc123', 'started');
    expect(z.uuid().safeParse(a).success).toBe(true);
    expect(a).toBe(factReportId('node-1', 'abc123', 'started'));
    expect(a).not.toBe(factReportId('node-1', 'abc123', 'exited'));
    expect(a).not.toBe(factReportId('node-1', 'abc12', '3started'));
    expect(a[14]).toBe('5');
  });

  it('makes random UUIDs for repeatable transitions', () => {
    expect(z.uuid().safeParse(randomReportId()).success).toBe(true);
    expect(randomReportId()).not.toBe(randomReportId());
  });
});
