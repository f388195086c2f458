/**
 * Where dissectors put what they find. The same dissector code feeds three sinks: the full tree
 * (packet detail), a name → values map (display filters, CLI), and nothing at all (the fast
 * summary of the packet list), so every view derives from one set of field declarations.
 */
import type { FieldNode } from './types';
import { type FieldDecl, displayValue, formatValue } from './fields';

export type Severity = NonNullable<FieldNode['severity']>;

export interface Sink {
  /** False for the summary sink: dissectors may skip work only the tree needs. */
  readonly wantsFields: boolean;
  /** A leaf field. `display` replaces the value text in the tree label. */
  field(decl: FieldDecl, start: number, length: number, value: number | string, display?: string, severity?: Severity): void;
  /** Opens a subtree (protocol or a field with children); `close` ends it. */
  open(decl: FieldDecl, start: number, length: number, label: string, value?: number | string): void;
  /** Ends the innermost open subtree, optionally fixing its length once known. */
  close(length?: number): void;
  /**
   * An explanatory or expert node: malformed, truncated, offloaded checksum, a TCP analysis
   * finding. `value` is what tshark prints for it (expert items of TCP analysis print "1").
   */
  note(label: string, start: number, length: number, severity: Severity, name?: string, value?: string): void;
  /** How many subtrees are open (so a layer cut short by a read error can be closed). */
  readonly depth: number;
  /** Closes open subtrees until `depth` remain. */
  unwind(depth: number): void;
}

/** Builds the FieldNode tree. */
export class TreeSink implements Sink {
  readonly wantsFields = true;
  readonly roots: FieldNode[] = [];
  private readonly stack: FieldNode[] = [];

  private append(node: FieldNode): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) this.roots.push(node);
    else (parent.children ??= []).push(node);
  }

  field(decl: FieldDecl, start: number, length: number, value: number | string, display?: string, severity?: Severity): void {
    if (decl.hidden) return;
    const node: FieldNode = {
      name: decl.name,
      label: `${decl.label}: ${display ?? displayValue(decl, value)}`,
      start,
      length,
      value: formatValue(decl, value),
    };
    if (severity) node.severity = severity;
    this.append(node);
  }

  open(decl: FieldDecl, start: number, length: number, label: string, value?: number | string): void {
    const node: FieldNode = { name: decl.name, label, start, length, children: [] };
    if (value !== undefined) node.value = formatValue(decl, value);
    this.append(node);
    this.stack.push(node);
  }

  close(length?: number): void {
    const node = this.stack.pop();
    if (node && length !== undefined) node.length = length;
    if (node && node.children?.length === 0) delete node.children;
  }

  note(label: string, start: number, length: number, severity: Severity, name = '_ws.expert', value?: string): void {
    this.append(value === undefined ? { name, label, start, length, severity } : { name, label, start, length, value, severity });
  }

  get depth(): number {
    return this.stack.length;
  }

  unwind(depth: number): void {
    while (this.stack.length > depth) this.close();
  }
}

/** Collects every field's values by name, outermost first. Protocols map to `['']`. */
export class ValuesSink implements Sink {
  readonly wantsFields = true;
  readonly values = new Map<string, string[]>();

  private put(name: string, text: string): void {
    const list = this.values.get(name);
    if (list) list.push(text);
    else this.values.set(name, [text]);
  }

  field(decl: FieldDecl, _start: number, _length: number, value: number | string): void {
    this.put(decl.name, formatValue(decl, value));
  }

  open(decl: FieldDecl, _start: number, _length: number, _label: string, value?: number | string): void {
    this.put(decl.name, value === undefined ? '' : formatValue(decl, value));
  }

  close(): void {}

  note(_label: string, _start: number, _length: number, severity: Severity, name = '_ws.expert', value = ''): void {
    if (severity === 'error') this.put('_ws.malformed', '');
    this.put(name, value);
  }

  readonly depth = 0;
  unwind(): void {}
}

/** Records nothing: the summary path only wants the columns. */
export class NullSink implements Sink {
  readonly wantsFields = false;
  field(): void {}
  open(): void {}
  close(): void {}
  note(): void {}
  readonly depth = 0;
  unwind(): void {}
}
