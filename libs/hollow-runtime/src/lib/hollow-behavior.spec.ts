import { CreateContainerConfigError } from '@berth/docker-runtime';
import {
  behaviorFromEnv,
  DEFAULT_HOLLOW_BEHAVIOR,
  execRuleMatches,
  mergeBehaviors,
  parseQuantity,
  sampleDuration,
  validateBehavior,
} from './hollow-behavior';

describe('hollow behaviour', () => {
  it('merges layers field by field, later layers winning, and tries later exec rules first', () => {
    const merged = mergeBehaviors([
      { cpuMilli: 100, startMs: 5, exec: [{ command: 'a', exitCode: 1 }] },
      undefined,
      { cpuMilli: 300, memoryBytes: undefined, exec: [{ command: 'b', exitCode: 2 }] },
    ]);
    expect(merged.cpuMilli).toBe(300);
    expect(merged.startMs).toBe(5);
    expect(merged.memoryBytes).toBe(DEFAULT_HOLLOW_BEHAVIOR.memoryBytes);
    expect(merged.exec.map((rule) => rule.command)).toEqual(['b', 'a']);
    expect(DEFAULT_HOLLOW_BEHAVIOR.exec).toEqual([]);
  });

  it('samples durations within their range', () => {
    expect(sampleDuration(40, 0.9)).toBe(40);
    expect(sampleDuration({ min: 10, max: 20 }, 0)).toBe(10);
    expect(sampleDuration({ min: 10, max: 20 }, 0.999)).toBe(20);
    expect(sampleDuration({ min: 10, max: 20 }, 0.5)).toBe(15);
  });

  it('rejects bad configuration naming the field', () => {
    expect(() => validateBehavior({ createFailure: { probability: 1.5 } }, 'x')).toThrow(/createFailure.probability/);
    expect(() => validateBehavior({ startMs: { min: 20, max: 10 } }, 'x')).toThrow(/startMs/);
    expect(() => validateBehavior({ crash: { afterMs: -1 } }, 'x')).toThrow(/crash.afterMs/);
    expect(() => validateBehavior({ startMs: { min: 1, max: 2 }, crash: { afterMs: 5, probability: 0.3 } }, 'x')).not.toThrow();
  });

  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('96Mi')).toBe(96 * 1024 * 1024);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('lots')).toBeUndefined();
    expect(parseQuantity('-1')).toBeUndefined();
  });

  it('reads the HOLLOW_* env overrides', () => {
    expect(behaviorFromEnv({ PATH: '/bin' })).toBeUndefined();
    expect(behaviorFromEnv(undefined)).toBeUndefined();
    const behavior = behaviorFromEnv({
      HOLLOW_CPU: '750m',
      HOLLOW_MEMORY: '64Mi',
      HOLLOW_START_MS: '20',
      HOLLOW_EXIT_AFTER_MS: '5000',
      HOLLOW_EXIT_CODE: '3',
      HOLLOW_IGNORE_SIGTERM: 'true',
      HOLLOW_EXEC_EXIT_CODE: '1',
      HOLLOW_EXEC_AFTER_MS: '1000',
    });
    expect(behavior).toMatchObject({
      cpuMilli: 750,
      memoryBytes: 64 * 1024 * 1024,
      startMs: 20,
      crash: { probability: 1, afterMs: 5000, exitCode: 3 },
      ignoresSigterm: true,
      exec: [{ exitCode: 1, afterMs: 1000 }],
    });
  });

  it('fails the create on a malformed HOLLOW_* value', () => {
    expect(() => behaviorFromEnv({ HOLLOW_CPU: 'fast', HOLLOW_START_MS: '-3' })).toThrow(CreateContainerConfigError);
    expect(() => behaviorFromEnv({ HOLLOW_CPU: 'fast' })).toThrow(/HOLLOW_CPU/);
  });

  it('matches exec rules by substring, RegExp, exact argv and age', () => {
    const command = ['cat', '/tmp/healthy'];
    expect(execRuleMatches({}, command, 0)).toBe(true);
    expect(execRuleMatches({ command: 'healthy' }, command, 0)).toBe(true);
    expect(execRuleMatches({ command: /^cat / }, command, 0)).toBe(true);
    expect(execRuleMatches({ command: ['cat', '/tmp/healthy'] }, command, 0)).toBe(true);
    expect(execRuleMatches({ command: ['cat'] }, command, 0)).toBe(false);
    expect(execRuleMatches({ command: 'ready' }, command, 0)).toBe(false);
    expect(execRuleMatches({ afterMs: 500 }, command, 499)).toBe(false);
    expect(execRuleMatches({ afterMs: 500 }, command, 500)).toBe(true);
  });
});
