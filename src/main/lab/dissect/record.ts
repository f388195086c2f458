/** One packet as a flat record keyed by Wireshark field names, the way `tshark -T fields` prints. */
import { FIELD_TABLE } from './fields';

/**
 * Turns a `fieldValues` map into a record: the first (outermost) occurrence of each field, as
 * tshark's `-E occurrence=f`, or all occurrences joined with commas (`occurrence=a`). Protocol
 * presence entries and SockLab's own `_ws.*` markers are left out; a presence-only field that
 * tshark prints as "1" (FT_NONE: `tcp.analysis.flags`, expert items) carries that value.
 */
export function toTsharkRecord(
  values: ReadonlyMap<string, readonly string[]>,
  occurrence: 'first' | 'all' = 'first',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, list] of values) {
    if (name.startsWith('_ws.')) continue;
    const shown = FIELD_TABLE.get(name)?.type === 'protocol' ? list.filter((v) => v !== '') : list;
    if (shown.length === 0) continue;
    const text = occurrence === 'first' ? shown[0] : shown.join(',');
    if (text !== '') out[name] = text;
  }
  return out;
}
