import { describe, expect, it } from 'vitest';
import { createFaultPlan, type Fault } from './fault-plan.js';

const unavailable: Fault = { type: 'status', status: 503 };

describe('createFaultPlan', () => {
  it('fires a rule on the next matching request only, by default once', () => {
    const plan = createFaultPlan();
    plan.next({ route: 'AddFile', fault: unavailable });
    expect(plan.take('DescribeFile')).toBeUndefined();
    expect(plan.take('AddFile')).toEqual(unavailable);
    expect(plan.take('AddFile')).toBeUndefined();
    expect(plan.pending()).toEqual([]);
  });

  it('counts with times and after, and matches route prefixes', () => {
    const plan = createFaultPlan();
    plan.next({ route: 'oss.*', fault: { type: 'reset' }, times: 2, after: 1 });
    const fired = ['oss.postObject', 'oss.put', 'files.upload', 'oss.postObject', 'oss.put'].map(
      (route) => plan.take(route)?.type,
    );
    expect(fired).toEqual([undefined, 'reset', undefined, 'reset', undefined]);
  });

  it('keeps an always rule and applies rules oldest first', () => {
    const plan = createFaultPlan({ rules: [{ fault: { type: 'delay', delayMs: 5 }, times: 'always' }] });
    plan.next({ route: 'files.upload', fault: unavailable });
    expect(plan.take('files.upload')?.type).toBe('delay');
    expect(plan.pending().map((rule) => [rule.id, rule.remaining])).toEqual([
      [1, 'always'],
      [2, 1],
    ]);
    plan.clear();
    expect(plan.take('files.upload')).toBeUndefined();
  });

  it('draws probabilities from the seed, so a run repeats exactly', () => {
    const draw = (seed: number) => {
      const plan = createFaultPlan({ seed });
      plan.next({ fault: unavailable, times: 'always', probability: 0.3 });
      return Array.from({ length: 200 }, () => (plan.take('x') === undefined ? 0 : 1)).join('');
    };
    expect(draw(42)).toBe(draw(42));
    expect(draw(42)).not.toBe(draw(43));
    const hits = [...draw(42)].filter((bit) => bit === '1').length;
    expect(hits).toBeGreaterThan(30);
    expect(hits).toBeLessThan(90);
  });

  it('rejects invalid rules with the field at fault', () => {
    const plan = createFaultPlan();
    expect(() => plan.next({ fault: { type: 'status', status: 200 } })).toThrow(
      'fault.status must be an HTTP error status (400-599)',
    );
    expect(() => plan.next({ fault: unavailable, times: 0 })).toThrow(
      "times must be a positive integer or 'always'",
    );
    expect(() => plan.next({ fault: unavailable, probability: 2 })).toThrow(
      'probability must be a number in [0, 1]',
    );
    expect(() => plan.next({ fault: { type: 'explode' } as unknown as Fault })).toThrow(
      "fault.type must be 'status', 'error', 'successFalse', 'reset', 'answerLost', 'delay', 'stall' or 'safeCheckFailed'",
    );
  });
});
