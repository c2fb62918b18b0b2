import { describe, expect, it } from 'vitest';
import { addSeq, HeldRegistry, mergeRanges } from './held.js';

describe('held ranges', () => {
  it('adds seqs in any order, joining neighbours and ignoring what is held', () => {
    const r: [number, number][] = [];
    for (const seq of [0, 1, 2, 5, 4, 9, 7, 8, 2, 3, 6]) addSeq(r, seq);
    expect(r).toEqual([[0, 9]]);
    const g: [number, number][] = [];
    for (const seq of [10, 0, 20, 11, 19, 5]) addSeq(g, seq);
    expect(g).toEqual([[0, 0], [5, 5], [10, 11], [19, 20]]);
  });

  it('merges ranges read from the database', () => {
    const r: [number, number][] = [[0, 3], [10, 10]];
    mergeRanges(r, [[2, 6], [8, 9], [12, 12]]);
    expect(r).toEqual([[0, 6], [8, 10], [12, 12]]);
  });

  it('reads the database once per connection and stream, shares entries, frees them with the last connection', async () => {
    const reg = new HeldRegistry();
    let reads = 0;
    const db = (ranges: [number, number][]) => async () => {
      reads++;
      return ranges;
    };
    const a = reg.connection();
    expect(await a.afterStore('i', 'audio', 3, db([[0, 3]]))).toEqual([[0, 3]]);
    expect(await a.afterStore('i', 'audio', 4, db([]))).toEqual([[0, 4]]);
    expect(reads).toBe(1);
    const b = reg.connection();
    expect(await b.afterStore('i', 'audio', 6, db([[0, 4], [6, 6]]))).toEqual([[0, 4], [6, 6]]);
    expect(await a.afterStore('i', 'audio', 5, db([]))).toEqual([[0, 6]]);
    expect(reads).toBe(2);
    a.release();
    expect(reg.size).toBe(1);
    b.release();
    expect(reg.size).toBe(0);
  });
});
