import { describe, expect, it } from 'vitest';
import { FramePool } from '../../../src/connect/frame-pool.js';

const piece = (bytes: number) => new ArrayBuffer(bytes);

describe('FramePool', () => {
  it('has nothing to give before memory is handed back', () => {
    expect(new FramePool(4).take(1000)).toBeUndefined();
  });

  it('gives back the smallest free piece that holds the frame, and each piece once', () => {
    const pool = new FramePool(4);
    const [small, middle, large] = [piece(1000), piece(2000), piece(3000)];
    pool.give(large);
    pool.give(small);
    pool.give(middle);
    expect(pool.take(1500)).toBe(middle);
    expect(pool.take(1600)).toBe(large);
    expect(pool.take(1600)).toBeUndefined();
    expect(pool.take(900)).toBe(small);
  });

  it('keeps a piece of twice the frame or more for a larger frame', () => {
    const pool = new FramePool(4);
    const large = piece(4000);
    pool.give(large);
    expect(pool.take(2000)).toBeUndefined();
    expect(pool.take(2001)).toBe(large);
  });

  it('keeps at most its number of pieces, letting the smallest go', () => {
    const pool = new FramePool(2);
    const [large, middle] = [piece(3000), piece(2000)];
    pool.give(large);
    pool.give(piece(1000));
    pool.give(middle);
    expect(pool.take(600)).toBeUndefined();
    expect(pool.take(1500)).toBe(middle);
    expect(pool.take(2500)).toBe(large);
    expect(pool.take(600)).toBeUndefined();
  });
});
