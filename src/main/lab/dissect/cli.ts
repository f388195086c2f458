/**
 * `npm run dissect -- FILE [--all] [--fields a,b,c] [--filter EXPR] [--count]`: one JSON object
 * per packet, keyed by Wireshark field names with values as tshark writes them (first
 * occurrence, or all joined by commas with --all), so SockLab's decoding can be checked against
 * tshark by anyone. `--filter` keeps the packets a display filter matches (like `tshark -Y`),
 * `--count` prints only how many there are.
 */
import { readFile } from 'node:fs/promises';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { compileFilter } from '../filter';
import { readCapture } from '../pcap/read';
import { analyzeTcp, fieldValues, TcpAnalyzer } from './index';
import { toTsharkRecord } from './record';

const USAGE = `usage: npm run dissect -- FILE [options]
  --all            every occurrence of a field, comma-joined (tshark -E occurrence=a)
  --fields a,b,c   only these fields
  --filter EXPR    only the packets this display filter matches (tshark -Y EXPR)
  --count          print only how many packets matched`;

/** Where the CLI writes: a line sink that can say the reader has gone (a closed pipe). */
export interface CliOutput {
  line(text: string): void;
  /** True once nobody reads any more (`| head -1`): the CLI stops quietly. */
  closed(): boolean;
  error(text: string): void;
}

/**
 * Standard output and error. A closed pipe (EPIPE, e.g. `| head -1`) is normal for a CLI: it
 * ends the output quietly instead of crashing with a stack trace.
 */
export function processOutput(): CliOutput {
  let gone = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    gone = true;
  });
  return {
    line: (text) => {
      if (!gone) process.stdout.write(text + '\n');
    },
    closed: () => gone || process.stdout.destroyed,
    error: (text) => process.stderr.write(text + '\n'),
  };
}

/** How many packets are decoded between looks at whether the reader has gone. */
const BATCH = 256;

/** Runs the CLI; returns the process exit code (0 ok, 1 unreadable file, 2 bad usage). */
export async function dissectCli(args: readonly string[], out: CliOutput = processOutput()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        all: { type: 'boolean', default: false },
        fields: { type: 'string' },
        filter: { type: 'string' },
        count: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    out.error(`dissect: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.line(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    out.error(positionals.length === 0 ? USAGE : `dissect: one capture file at a time (got ${positionals.length})\n${USAGE}`);
    return 2;
  }
  const file = positionals[0];
  const filter = values.filter === undefined ? null : compileFilter(values.filter);
  if (filter && !filter.ok) {
    out.error(`dissect: --filter: ${filter.error}\n  ${values.filter}\n  ${' '.repeat(filter.position)}^`);
    return 2;
  }
  const only = values.fields === undefined ? null : new Set(values.fields.split(',').filter(Boolean));
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    out.error(`dissect: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const result = readCapture(bytes);
  let matched = 0;
  // TCP analysis needs every packet in order, as tshark's first pass: each packet is analysed
  // just before it is decoded.
  const analyzer = new TcpAnalyzer();
  for (let i = 0; i < result.packets.length; i++) {
    const p = result.packets[i];
    const meta = { number: i + 1, tsNs: p.tsNs, origLen: p.origLen };
    const decoded = fieldValues(p.data, p.linkType, { ...meta, tcp: analyzeTcp(p.data, p.linkType, meta, analyzer) });
    if (filter && !filter.test((name) => decoded.get(name))) continue;
    matched++;
    if (!values.count) {
      const record = toTsharkRecord(decoded, values.all ? 'all' : 'first');
      if (only) for (const key of Object.keys(record)) if (!only.has(key)) delete record[key];
      out.line(JSON.stringify(record));
    }
    // A closed pipe is reported asynchronously: look now and then, and stop when nobody reads.
    if (i % BATCH === BATCH - 1) {
      await yieldToEvents();
      if (out.closed()) return 0;
    }
  }
  if (values.count && !out.closed()) out.line(String(matched));
  for (const e of result.errors) out.error(`dissect: ${file}: ${e.message} (${e.code}, byte ${e.offset})`);
  return result.format === null ? 1 : 0;
}
