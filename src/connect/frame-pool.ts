/**
 * Memory for response frames, reused. A page's frame comes in many socket reads and is assembled into memory
 * of its own (a megabyte or more for a validate's 5000-row page). Freeing that memory and allocating the next
 * frame's fragmented the C heap more the longer the run: a 1,000,000-row validate peaked at 121-123 MB against
 * 110-112 MB for 100,000 rows, and at 112-114 against 108-110 with glibc's mmap threshold fixed
 * (MALLOC_MMAP_THRESHOLD_, which a program cannot set for itself); reusing frame memory, at 113-118 against
 * 109-117 (2026-12-05, 2-3 runs each). Only memory handed back (give) is reused, and it is handed back only
 * transferred, so that every view of the frame it held is detached (reads as empty) and none can see the next
 * frame's bytes.
 */
export class FramePool {
  /** Free memory, smallest first. */
  private readonly free: ArrayBuffer[] = [];

  /** At most `keep` pieces are kept free; more are left to the collector, the smallest first. */
  constructor(private readonly keep: number) {}

  /**
   * Memory for a frame of `length` bytes: the smallest free piece that holds it and is less than twice its
   * size (a large piece is kept for a large frame), or undefined when there is none.
   */
  take(length: number): ArrayBuffer | undefined {
    const at = this.free.findIndex((memory) => memory.byteLength >= length);
    if (at < 0 || (this.free[at] as ArrayBuffer).byteLength >= 2 * length) return undefined;
    return this.free.splice(at, 1)[0];
  }

  /** Memory no view can reach any more (the transfer of a spent frame's), to be taken again. */
  give(memory: ArrayBuffer): void {
    const at = this.free.findIndex((other) => other.byteLength >= memory.byteLength);
    this.free.splice(at < 0 ? this.free.length : at, 0, memory);
    if (this.free.length > this.keep) this.free.shift();
  }
}
