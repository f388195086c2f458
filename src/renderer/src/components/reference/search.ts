/**
 * Searching the API reference: a call matches when every word of the query appears in its name,
 * signature, header, summary, parameters, return value, errno names or error texts, in either
 * language (a student may type "EADDRINUSE", "backlog" or "端口").
 */
import { API_REFERENCE, type ApiEntry } from '@shared/api-reference';
import { CALL_NAMES, type CallName } from '@shared/socket';

function haystack(entry: ApiEntry): string {
  const texts = [entry.summary, entry.returns, ...entry.params.map((p) => p.text), ...entry.errors.map((e) => e.text)];
  if (entry.note) texts.push(entry.note);
  return [
    entry.call,
    entry.signature,
    entry.header,
    ...entry.params.map((p) => p.name),
    ...entry.errors.map((e) => e.errno),
    ...texts.flatMap((text) => [text.en, text.zh]),
  ]
    .join('\n')
    .toLowerCase();
}

const HAYSTACKS = new Map<CallName, string>(CALL_NAMES.map((call) => [call, haystack(API_REFERENCE[call])]));

/** The calls whose reference matches `query`, in the order of CALL_NAMES (all of them for an empty query). */
export function searchReference(query: string): CallName[] {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length === 0) return [...CALL_NAMES];
  return CALL_NAMES.filter((call) => {
    const text = HAYSTACKS.get(call) ?? '';
    return words.every((word) => text.includes(word));
  });
}
