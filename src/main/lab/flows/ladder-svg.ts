/**
 * A ladder model as a standalone SVG document: one <style> block, fonts every system has
 * (a monospace stack ending in the generic `monospace`), no external references, so the UI can
 * show it, save it as .svg and draw it onto a canvas for PNG as it is.
 */
import type { Column, LadderArrow, LadderCall, LadderMark, LadderModel } from './ladder';
import type { TcpState } from './tcp-state';

/** Words the picture shows; the UI passes its i18n strings, English is the default. */
export interface LadderSvgLabels {
  time: string;
  /** Suffix after a socket's descriptor list, e.g. "fd 3, 5". */
  fd: string;
  /** Before a lab-network host's name in a column head, e.g. "host A". */
  host: string;
  kernel: string;
  marks: Record<LadderMark, string>;
  truncated: string;
}

export interface LadderSvgOptions {
  theme?: 'light' | 'dark';
  labels?: Partial<Omit<LadderSvgLabels, 'marks'>> & { marks?: Partial<Record<LadderMark, string>> };
  /** Prefix for element ids, so several pictures can share a page. Default "ladder". */
  idPrefix?: string;
}

export const DEFAULT_LADDER_LABELS: LadderSvgLabels = {
  time: 'Time (s)',
  fd: 'fd',
  host: 'host',
  kernel: 'kernel',
  marks: {
    rst: 'RST',
    'zero-window': 'zero window',
    'window-update': 'window update',
    retransmission: 'retransmission',
    'out-of-order': 'out-of-order',
    'dup-ack': 'duplicate ACK',
    'keep-alive': 'keep-alive',
    'icmp-error': 'ICMP error',
  },
  truncated: 'more rows not shown',
};

const THEMES = {
  light: {
    bg: '#ffffff',
    fg: '#1f2328',
    muted: '#656d76',
    line: '#8c959f',
    arrow: '#0969da',
    kernel: '#57606a',
    rst: '#cf222e',
    warn: '#bc4c00',
    retrans: '#8250df',
    call: '#1a7f37',
    fail: '#cf222e',
    pill: '#eaeef2',
  },
  dark: {
    bg: '#0d1117',
    fg: '#e6edf3',
    muted: '#8d96a0',
    line: '#6e7681',
    arrow: '#58a6ff',
    kernel: '#8d96a0',
    rst: '#ff7b72',
    warn: '#ffa657',
    retrans: '#d2a8ff',
    call: '#3fb950',
    fail: '#ff7b72',
    pill: '#21262d',
  },
} as const;

const WIDTH = 1000;
const X: [number, number] = [360, 700];
const TIME_X = 10;
const TOP = 70;
const CHAR_W = 6.7; // 11px monospace advance, for sizing boxes around text
const FONT = `ui-monospace, 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, 'Courier New', monospace`;

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] as string);
}

/** The arrow's colour class: RST red, zero window and retransmission their own, kernel grey. */
function arrowClass(arrow: LadderArrow): string {
  if (arrow.marks.includes('rst')) return 'rst';
  if (arrow.marks.includes('retransmission') || arrow.marks.includes('out-of-order') || arrow.marks.includes('dup-ack')) return 'retrans';
  if (arrow.marks.includes('zero-window') || arrow.marks.includes('icmp-error')) return 'warn';
  return arrow.cause === 'kernel' ? 'kernel' : 'sent';
}

/** Renders the ladder as an SVG document (a string starting with `<svg`). */
export function ladderToSvg(model: LadderModel, options: LadderSvgOptions = {}): string {
  const theme = THEMES[options.theme ?? 'light'];
  const labels: LadderSvgLabels = {
    ...DEFAULT_LADDER_LABELS,
    ...options.labels,
    marks: { ...DEFAULT_LADDER_LABELS.marks, ...options.labels?.marks },
  };
  const id = escapeXml(options.idPrefix ?? 'ladder');
  const body: string[] = [];
  let y = TOP;

  const pill = (column: Column, top: number, state: TcpState) => {
    const w = state.length * CHAR_W + 12;
    body.push(`<rect class="pill" x="${X[column] - w / 2}" y="${top}" width="${w}" height="15" rx="7"/>`);
    body.push(`<text class="state" x="${X[column]}" y="${top + 11}" text-anchor="middle">${state}</text>`);
  };

  model.columns.forEach((column, i) => {
    const fds = column.fds.length ? ` (${labels.fd} ${column.fds.join(', ')})` : '';
    const host = column.host ? `${labels.host} ${column.host} · ` : '';
    body.push(`<text class="head" x="${X[i]}" y="28" text-anchor="middle">${escapeXml(host + column.endpoint + fds)}</text>`);
  });
  body.push(`<text class="muted" x="${TIME_X}" y="28">${escapeXml(labels.time)}</text>`);
  const initial = model.initialStates;
  if (initial[0] || initial[1]) {
    for (const column of [0, 1] as const) if (initial[column]) pill(column, y - 22, initial[column] as TcpState);
    y += 4;
  }

  for (const row of model.rows) {
    body.push(`<text class="time" x="${TIME_X}" y="${row.kind === 'packet' ? y + 10 : y + 4}">${(row.timeUs / 1e6).toFixed(6)}</text>`);
    y = row.kind === 'packet' ? drawArrow(row, y) : drawCall(row, y);
  }
  if (model.truncated) {
    body.push(`<text class="muted" x="${WIDTH / 2}" y="${y + 10}" text-anchor="middle">${escapeXml(`… ${labels.truncated}`)}</text>`);
    y += 20;
  }
  const height = y + 20;

  function drawArrow(arrow: LadderArrow, top: number): number {
    const cls = arrowClass(arrow);
    const mid = (X[0] + X[1]) / 2;
    // The label sits above the line, so a sloping line never crosses its text.
    const y0 = top + 6;
    const y1 = y0 + 14;
    const x1 = X[arrow.to] + (arrow.to > arrow.from ? -2 : 2);
    body.push(
      `<g class="packet ${cls}" data-no="${arrow.no}">` +
        `<text class="label" x="${mid}" y="${top + 2}" text-anchor="middle">${escapeXml(`#${arrow.no} ${arrow.label}`)}</text>` +
        `<line x1="${X[arrow.from]}" y1="${y0}" x2="${x1}" y2="${y1}" marker-end="url(#${id}-head-${cls})"/></g>`,
    );
    let next = y1 + 16;
    const notes = arrow.marks.map((m) => labels.marks[m]);
    if (arrow.cause === 'kernel' && notes.length === 0) notes.push(labels.kernel);
    if (notes.length) {
      body.push(`<text class="note ${cls}" x="${mid}" y="${y1 + 12}" text-anchor="middle">${escapeXml(notes.join(' · '))}</text>`);
      next += 8;
    }
    let pills = false;
    for (const column of [0, 1] as const) {
      const state = arrow.states[column];
      if (arrow.changed[column] && state) {
        pill(column, y1 + 3, state);
        pills = true;
      }
    }
    return next + (pills ? 12 : 0);
  }

  function drawCall(call: LadderCall, top: number): number {
    const x = X[call.side];
    const anchor = call.side === 0 ? 'end' : 'start';
    const tx = call.side === 0 ? x - 12 : x + 12;
    body.push(
      `<g class="call${call.failed ? ' failed' : ''}" data-call="${call.callId}"><circle cx="${x}" cy="${top}" r="4"/>` +
        `<text x="${tx}" y="${top + 4}" text-anchor="${anchor}">${escapeXml(call.text)}</text></g>`,
    );
    return top + 24;
  }

  const heads = (['sent', 'kernel', 'rst', 'warn', 'retrans'] as const)
    .map(
      (name) =>
        `<marker id="${id}-head-${name}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="head-${name}"/></marker>`,
    )
    .join('');
  const style = [
    `svg{font-family:${FONT};font-size:11px}`,
    `.bg{fill:${theme.bg}}`,
    `text{fill:${theme.fg}}`,
    `.head{font-weight:bold;font-size:12px}`,
    `.muted,.time{fill:${theme.muted}}`,
    `.lifeline{stroke:${theme.line};stroke-width:2}`,
    `.packet line{stroke-width:1.6}`,
    `.sent line{stroke:${theme.arrow}}.kernel line{stroke:${theme.kernel};stroke-dasharray:5 3}`,
    `.rst line{stroke:${theme.rst};stroke-width:2.4}.warn line{stroke:${theme.warn};stroke-width:2.4}.retrans line{stroke:${theme.retrans};stroke-width:2.4;stroke-dasharray:2 2}`,
    `.head-sent{fill:${theme.arrow}}.head-kernel{fill:${theme.kernel}}.head-rst{fill:${theme.rst}}.head-warn{fill:${theme.warn}}.head-retrans{fill:${theme.retrans}}`,
    `.note{font-size:10px;font-weight:bold}.note.rst{fill:${theme.rst}}.note.warn{fill:${theme.warn}}.note.retrans{fill:${theme.retrans}}.note.kernel,.note.sent{fill:${theme.muted};font-weight:normal}`,
    `.call circle{fill:${theme.call}}.call text{fill:${theme.call}}.call.failed circle,.call.failed text{fill:${theme.fail}}`,
    `.pill{fill:${theme.pill};stroke:${theme.line}}.state{font-size:10px}`,
  ].join('');
  const lifelines = X.map((x) => `<line class="lifeline" x1="${x}" y1="40" x2="${x}" y2="${height - 10}"/>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">` +
    `<style>${style}</style><defs>${heads}</defs>` +
    `<rect class="bg" x="0" y="0" width="${WIDTH}" height="${height}"/>${lifelines}${body.join('')}</svg>`
  );
}
