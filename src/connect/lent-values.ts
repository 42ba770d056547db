/**
 * Bound values lent to the driver for one request (each attempt of it), emptied once the request settles.
 *
 * Why: the driver's objects still reach a request's values after its answer, so whatever of them outlives
 * a young-generation collection keeps the values, and through them the rows' views of the source page,
 * alive into V8's old space until the next full collection. Over a 200,000-row copy (--trace-gc-nvp, same
 * table and nodes) 245-362 MB were promoted in 8 of 8 runs, mostly rows and parameter arrays; emptying our
 * own arrays after the write (batch, partitions, slice) changed nothing, emptying the values did: 43-58 MB
 * in 14 of 16 runs, 13-19 full collections instead of 29-50. Which driver object holds them was not found.
 * The caller's statements are left as they are: a caller may still read them (a refused page is written
 * again row by row).
 */
export class LentValues {
  private readonly lent: unknown[][] = [];

  /** A copy of `values` for one attempt: the driver holds this copy, never the caller's array. */
  lend(values: unknown[]): unknown[] {
    const copy = values.slice();
    this.lent.push(copy);
    return copy;
  }

  /** Called once the request settled: the driver will not encode these values again. */
  release(): void {
    for (const values of this.lent) values.length = 0;
    this.lent.length = 0;
  }
}
