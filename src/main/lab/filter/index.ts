/**
 * Display filters in Wireshark's syntax for the fields SockLab knows:
 * `tcp.port == 8080 && tcp.flags.syn == 1`, `ip.addr == 127.0.0.0/8`, `!arp`,
 * `tcp.payload contains "GET"`, `udp.port in {53 5353 8000..8100}`.
 */
import type { FieldLookup } from '../dissect/types';
import { compileExpr } from './compile';
import { FilterError } from './errors';
import { parseFilter } from './parser';

export { filterField, filterFieldNames, type FilterField, type FilterFieldType } from './fields';

/** A filter ready to test packets, or why the text is not a filter. */
export type CompiledFilter =
  | {
      ok: true;
      /** Whether the packet whose fields `lookup` reads passes the filter. */
      test(lookup: FieldLookup): boolean;
      /** The real field names (aliases expanded) the test may look up, without duplicates. */
      fields: string[];
    }
  | { ok: false; error: string; position: number };

const matchAll = (): boolean => true;

/**
 * Compiles a display filter once into closures. An empty or blank filter matches every
 * packet. Errors come back as a value with the character index of the problem.
 */
export function compileFilter(expression: string): CompiledFilter {
  try {
    const expr = parseFilter(expression);
    if (expr === null) return { ok: true, test: matchAll, fields: [] };
    const used = new Set<string>();
    const test = compileExpr(expr, used);
    return { ok: true, test, fields: [...used] };
  } catch (error) {
    if (error instanceof FilterError) return { ok: false, error: error.message, position: error.position };
    throw error;
  }
}
