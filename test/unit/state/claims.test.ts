import { describe, expect, it } from 'vitest';
import { planClaims, type RangeRow } from '../../../src/state/claims.js';

const row = (range: string, state: RangeRow['state'], owner: string | null, leaseUntil: number | null, epoch = 1): [string, RangeRow] => [range, { range, state, owner, leaseUntil, epoch }];

describe('planClaims', () => {
  const now = 1_000_000;
  const rows = new Map([
    row('done', 'done', 'a', null),
    row('held', 'claimed', 'b', now + 5_000),
    row('expired', 'claimed', 'b', now - 1, 3),
    row('mine', 'claimed', 'me', now + 5_000),
    row('failed-elsewhere', 'failed', null, null, 2),
    row('failed-here', 'failed', null, null, 2),
  ]);
  const candidates = ['never', 'done', 'held', 'expired', 'mine', 'failed-elsewhere', 'failed-here'];

  it('offers ranges never claimed, claims whose lease ran out, and ranges failed by another worker', () => {
    const plan = planClaims(candidates, rows, 'me', now, new Set(['failed-here']));
    expect(plan.claimable.map((c) => c.range)).toEqual(['never', 'expired', 'failed-elsewhere']);
    // The row a claim must find unchanged: its epoch guards the lightweight transaction.
    expect(plan.claimable.find((c) => c.range === 'expired')?.row?.epoch).toBe(3);
    expect(plan.claimable.find((c) => c.range === 'never')?.row).toBeUndefined();
  });

  it('counts live claims of other workers, so the worker waits for them instead of ending', () => {
    expect(planClaims(candidates, rows, 'me', now, new Set()).heldByOthers).toBe(1);
    expect(planClaims(['done', 'failed-here'], rows, 'me', now, new Set(['failed-here']))).toEqual({ claimable: [], heldByOthers: 0 });
  });

  it('takes a lease that ends exactly now as still held', () => {
    expect(planClaims(['held'], new Map([row('held', 'claimed', 'b', now)]), 'me', now, new Set()).heldByOthers).toBe(1);
  });
});
