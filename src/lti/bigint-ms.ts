import type { ValueTransformer } from 'typeorm';

/** Epoch-millisecond columns: `bigint` on both drivers; Postgres returns them as strings. */
export const msTransformer: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};
