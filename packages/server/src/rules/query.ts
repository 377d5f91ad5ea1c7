import type { QueryEngine, Sample } from '../promql/index.ts';
import type { Queryable } from '../storage/index.ts';
import type { QueryFunc } from './types.ts';

/**
 * Prometheus's `EngineQueryFunc`: an instant query whose vector is returned
 * as is, whose scalar becomes one sample without labels, and anything else
 * is an error.
 */
export function engineQueryFunc(engine: QueryEngine, queryable: Queryable): QueryFunc {
  return async (expr, ts, cache) => {
    const r = await engine.instantQuery(queryable, expr, ts, cache ? { selectCache: cache } : undefined);
    const v = r.value;
    if (v.type === 'vector') return v.vector as Sample[];
    if (v.type === 'scalar') return [{ metric: [], t: v.t, v: v.v }];
    throw new Error('rule result is not a vector or scalar');
  };
}
