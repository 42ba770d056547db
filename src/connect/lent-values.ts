/**
 * Bound values lent to the driver for one request (each attempt of it), emptied once the request settles.
 *
 * Why: a request whose answer took two young-generation collections to come back is promoted, with the
 * driver's objects around it, to V8's old space; there it is dead but kept until the next full collection,
 * and everything it still references is kept with it. A copy's bound values are views of the source page,
 * so the rows and statements of every such request were promoted too: over a 200,000-row copy, 255-323 MB
 * promoted and 31-40 full collections, against 43-56 MB and 13-19 once the values were emptied after the
 * answer (--trace-gc-nvp, same table and nodes). Our own statements are left as they are: a caller may
 * still read them (a refused page is written again row by row).
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
