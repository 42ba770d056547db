/** A range's row in a shared run's ledger. */
export interface RangeRow {
  range: string;
  state: 'claimed' | 'done' | 'failed';
  owner: string | null;
  /** Milliseconds since the epoch, by the claiming worker's clock. */
  leaseUntil: number | null;
  /** Bumped by every claim: a worker's later updates to the row hold only while it is still the claim it made. */
  epoch: number;
}

export interface ClaimPlan {
  /** Ranges this worker may try to claim now, with the row it must find unchanged (none: never claimed). */
  claimable: { range: string; row: RangeRow | undefined }[];
  /** Ranges of the candidates another live worker holds: wait for them rather than end. */
  heldByOthers: number;
}

/**
 * Which of `candidates` a worker may claim: never claimed, claimed by a worker whose lease ran out (it
 * died or stalled), or failed by another worker (one more attempt here). Done ranges, and ranges this
 * worker itself failed in this run, are left.
 */
export function planClaims(candidates: readonly string[], rows: ReadonlyMap<string, RangeRow>, me: string, now: number, failedHere: ReadonlySet<string>): ClaimPlan {
  const claimable: ClaimPlan['claimable'] = [];
  let heldByOthers = 0;
  for (const range of candidates) {
    const row = rows.get(range);
    if (!row) claimable.push({ range, row });
    else if (row.state === 'failed') {
      if (!failedHere.has(range)) claimable.push({ range, row });
    } else if (row.state === 'claimed' && row.owner !== me) {
      if ((row.leaseUntil ?? 0) < now) claimable.push({ range, row });
      else heldByOthers++;
    }
  }
  return { claimable, heldByOthers };
}
