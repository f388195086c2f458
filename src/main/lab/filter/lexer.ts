/** Splits display-filter text into tokens, each with the character index it starts at. */
import { FilterError } from './errors';

export type TokenType = 'word' | 'string' | 'op' | '(' | ')' | '{' | '}' | ',' | '..' | 'end';

export interface Token {
  readonly type: TokenType;
  /** The word or operator as written; for strings, the text after escapes. */
  readonly text: string;
  readonly pos: number;
}

// Longest first, so '===' wins over '==' and '>=' over '>'.
const OPERATORS = ['===', '!==', '==', '!=', '~=', '>=', '<=', '&&', '||', '^^', '>', '<', '!', '~', '='];
const WORD_CHAR = /[A-Za-z0-9_.:/-]/;

/** Tokenises a filter; throws FilterError (caught by compileFilter) on an unreadable character. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      tokens.push({ type: c, text: c, pos: i });
      i++;
      continue;
    }
    if (c === '.' && input[i + 1] === '.') {
      tokens.push({ type: '..', text: '..', pos: i });
      i += 2;
      continue;
    }
    if (c === '"' || (c === 'r' && input[i + 1] === '"')) {
      const raw = c === 'r';
      const { text, end } = readString(input, raw ? i + 1 : i, raw);
      tokens.push({ type: 'string', text, pos: i });
      i = end;
      continue;
    }
    if (c === "'") throw new FilterError('Write text between double quotes ("GET"), not single quotes.', i);
    const op = OPERATORS.find((candidate) => input.startsWith(candidate, i));
    if (op !== undefined) {
      tokens.push({ type: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    if (WORD_CHAR.test(c)) {
      const start = i;
      while (i < input.length && WORD_CHAR.test(input[i]) && !(input[i] === '.' && input[i + 1] === '.')) i++;
      tokens.push({ type: 'word', text: input.slice(start, i), pos: start });
      continue;
    }
    throw new FilterError(`The character "${c}" has no meaning in a display filter.`, i);
  }
  tokens.push({ type: 'end', text: '', pos: input.length });
  return tokens;
}

/**
 * Reads a double-quoted string starting at `quote`. Escapes: \" \\ \n \r \t \xhh \ooo; any other
 * backslash is kept as written so regular expressions like "\d+" work without doubling. A raw
 * string (r"...") keeps every backslash.
 */
function readString(input: string, quote: number, raw: boolean): { text: string; end: number } {
  let text = '';
  let i = quote + 1;
  while (i < input.length) {
    const c = input[i];
    if (c === '"') return { text, end: i + 1 };
    if (c === '\\' && i + 1 < input.length) {
      const next = input[i + 1];
      if (raw) {
        text += next === '"' ? '\\"' : `\\${next}`;
        i += 2;
        continue;
      }
      const hex = /^x([0-9a-fA-F]{2})/.exec(input.slice(i + 1, i + 4));
      const octal = /^[0-7]{3}/.exec(input.slice(i + 1, i + 4));
      if (hex) {
        text += String.fromCharCode(parseInt(hex[1], 16));
        i += 4;
      } else if (octal) {
        text += String.fromCharCode(parseInt(octal[0], 8));
        i += 4;
      } else {
        const simple: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t' };
        text += simple[next] ?? `\\${next}`;
        i += 2;
      }
      continue;
    }
    text += c;
    i++;
  }
  throw new FilterError('This quoted text is never closed: add the closing ".', quote);
}
