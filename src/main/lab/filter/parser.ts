/**
 * Parses display-filter tokens into a syntax tree (Wireshark's grammar for the parts SockLab
 * supports). Precedence, loosest first: `||`/or, `^^`/xor, `&&`/and, `!`/not.
 */
import { FilterError } from './errors';
import { filterField, type FilterField } from './fields';
import { suggestField } from './suggest';
import { tokenize, type Token } from './lexer';

/** How a comparison combines a field's several values: any of them, or all of them. */
export type CompareOp = 'any_eq' | 'all_ne' | 'all_eq' | 'any_ne' | 'gt' | 'lt' | 'ge' | 'le';

/** A value as written on the right of an operator; typed later against the field. */
export interface ValueNode {
  readonly text: string;
  readonly quoted: boolean;
  readonly pos: number;
}

export interface SetItem {
  readonly low: ValueNode;
  /** Present for ranges `low..high`. */
  readonly high?: ValueNode;
}

export type Expr =
  | { readonly kind: 'or' | 'xor' | 'and'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'present'; readonly field: FilterField; readonly pos: number }
  | {
      readonly kind: 'compare';
      readonly field: FilterField;
      readonly pos: number;
      readonly op: CompareOp;
      readonly opText: string;
      readonly opPos: number;
      readonly value: ValueNode;
    }
  | { readonly kind: 'in'; readonly field: FilterField; readonly pos: number; readonly items: readonly SetItem[] }
  | {
      readonly kind: 'contains' | 'matches';
      readonly field: FilterField;
      readonly pos: number;
      readonly opPos: number;
      readonly value: ValueNode;
    };

const COMPARE_OPS: Readonly<Record<string, CompareOp>> = {
  '==': 'any_eq',
  eq: 'any_eq',
  any_eq: 'any_eq',
  '!=': 'all_ne',
  ne: 'all_ne',
  all_ne: 'all_ne',
  '===': 'all_eq',
  all_eq: 'all_eq',
  '!==': 'any_ne',
  '~=': 'any_ne',
  any_ne: 'any_ne',
  '>': 'gt',
  gt: 'gt',
  '<': 'lt',
  lt: 'lt',
  '>=': 'ge',
  ge: 'ge',
  '<=': 'le',
  le: 'le',
};

const KEYWORDS = new Set(['and', 'or', 'xor', 'not', 'in', 'contains', 'matches', ...Object.keys(COMPARE_OPS)]);

/** Parses a whole filter; an empty (or blank) filter gives null, which matches every packet. */
export function parseFilter(input: string): Expr | null {
  const parser = new Parser(tokenize(input));
  return parser.parseAll();
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): Expr | null {
    if (this.peek().type === 'end') return null;
    const expr = this.parseOr();
    const rest = this.peek();
    if (rest.type === ')') throw new FilterError("This ')' has no matching '('.", rest.pos);
    if (rest.type !== 'end') throw this.expectedJoin(rest);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    return this.tokens[this.index++];
  }

  private isOp(token: Token, ...spellings: string[]): boolean {
    return (token.type === 'op' || token.type === 'word') && spellings.includes(token.text);
  }

  private parseOr(): Expr {
    let left = this.parseXor();
    while (this.isOp(this.peek(), '||', 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseXor() };
    }
    return left;
  }

  private parseXor(): Expr {
    let left = this.parseAnd();
    while (this.isOp(this.peek(), '^^', 'xor')) {
      this.next();
      left = { kind: 'xor', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isOp(this.peek(), '&&', 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isOp(this.peek(), '!', 'not')) {
      this.next();
      return { kind: 'not', operand: this.parseNot() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const token = this.peek();
    if (token.type === '(') {
      this.next();
      if (this.peek().type === ')') throw new FilterError('These parentheses are empty: put a test inside.', token.pos);
      const inner = this.parseOr();
      const close = this.peek();
      if (close.type !== ')') {
        if (close.type === 'end') throw new FilterError("This '(' is never closed: add a ')'.", token.pos);
        throw this.expectedJoin(close);
      }
      this.next();
      return inner;
    }
    return this.parseTest();
  }

  private parseTest(): Expr {
    const token = this.next();
    const field = this.fieldAt(token);
    const opToken = this.peek();
    if (opToken.type === 'op' && opToken.text === '=') {
      throw new FilterError(`A single "=" does not compare: write "==" (${field.name} == ...).`, opToken.pos);
    }
    const op = opToken.type === 'op' || opToken.type === 'word' ? COMPARE_OPS[opToken.text] : undefined;
    if (op !== undefined) {
      this.next();
      return { kind: 'compare', field, pos: token.pos, op, opText: opToken.text, opPos: opToken.pos, value: this.valueAfter(opToken) };
    }
    if (this.isOp(opToken, 'contains', 'matches', '~')) {
      this.next();
      const kind = opToken.text === 'contains' ? 'contains' : 'matches';
      return { kind, field, pos: token.pos, opPos: opToken.pos, value: this.valueAfter(opToken) };
    }
    if (this.isOp(opToken, 'in')) {
      this.next();
      return { kind: 'in', field, pos: token.pos, items: this.parseSet(opToken) };
    }
    if (this.isOp(opToken, 'not') && this.isOp(this.tokens[this.index + 1], 'in')) {
      this.index += 2;
      return { kind: 'not', operand: { kind: 'in', field, pos: token.pos, items: this.parseSet(opToken) } };
    }
    return { kind: 'present', field, pos: token.pos };
  }

  private fieldAt(token: Token): FilterField {
    if (token.type === 'end') throw new FilterError('The filter ends here, but a field or protocol name should follow.', token.pos);
    if (token.type === 'string') {
      throw new FilterError('A test starts with a field name, then the value: for example tcp.payload contains "GET".', token.pos);
    }
    if (token.type !== 'word' || KEYWORDS.has(token.text)) {
      throw new FilterError(`Expected a field or protocol name (such as tcp.port or icmp) before "${token.text}".`, token.pos);
    }
    const field = filterField(token.text);
    if (field !== undefined) return field;
    if (/^[0-9]/.test(token.text)) {
      throw new FilterError(
        `"${token.text}" is a value, not a field: name the field first, for example tcp.port == ${token.text}.`,
        token.pos,
      );
    }
    const suggestion = suggestField(token.text);
    const hint = suggestion === undefined ? '' : ` — did you mean "${suggestion}"?`;
    throw new FilterError(`"${token.text}" is not a field SockLab knows${hint}`, token.pos);
  }

  private valueAfter(opToken: Token): ValueNode {
    const token = this.peek();
    if (token.type === 'word' && !KEYWORDS.has(token.text)) {
      this.next();
      return { text: token.text, quoted: false, pos: token.pos };
    }
    if (token.type === 'string') {
      this.next();
      return { text: token.text, quoted: true, pos: token.pos };
    }
    throw new FilterError(`A value should follow "${opToken.text}".`, token.pos);
  }

  private parseSet(opToken: Token): SetItem[] {
    const open = this.peek();
    if (open.type !== '{') throw new FilterError('"in" takes a set in braces, for example tcp.port in {80 443 8000..8100}.', open.pos);
    this.next();
    const items: SetItem[] = [];
    while (this.peek().type !== '}') {
      if (this.peek().type === 'end') throw new FilterError("This '{' is never closed: add a '}'.", open.pos);
      if (items.length > 0 && this.peek().type === ',') this.next();
      const low = this.valueAfter(items.length === 0 ? open : opToken);
      if (this.peek().type === '..') {
        const dots = this.next();
        items.push({ low, high: this.valueAfter(dots) });
      } else items.push({ low });
    }
    if (items.length === 0) throw new FilterError('This set is empty: list at least one value.', open.pos);
    this.next();
    return items;
  }

  /** The error for a token where "&&", "||" or the end of the filter was expected. */
  private expectedJoin(token: Token): FilterError {
    if (token.type === 'op' && token.text === '=') return new FilterError('A single "=" does not compare: write "==".', token.pos);
    return new FilterError(
      `Unexpected "${token.text}": join tests with && or ||, and compare with ==, !=, <, >, contains, matches or in.`,
      token.pos,
    );
  }
}
