/**
 * `npm run dissect -- FILE [--all] [--fields a,b,c]`: one JSON object per packet, keyed by
 * Wireshark field names with values as tshark writes them (first occurrence, or all joined by
 * commas with --all), so SockLab's decoding can be checked against tshark by anyone.
 */
import { readFile } from 'node:fs/promises';
import { readCapture } from '../pcap/read';
import { fieldValues } from './index';
import { toTsharkRecord } from './record';

const USAGE = 'usage: npm run dissect -- FILE [--all] [--fields name1,name2,...]';

/** Runs the CLI; returns the process exit code. */
export async function dissectCli(args: readonly string[], out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const all = args.includes('--all');
  const fieldsAt = args.indexOf('--fields');
  const only = fieldsAt >= 0 ? new Set((args[fieldsAt + 1] ?? '').split(',').filter(Boolean)) : null;
  const file = args.find((a, i) => !a.startsWith('--') && (fieldsAt < 0 || i !== fieldsAt + 1));
  if (!file) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    process.stderr.write(`dissect: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const result = readCapture(bytes);
  result.packets.forEach((p, i) => {
    const values = fieldValues(p.data, p.linkType, { number: i + 1, tsNs: p.tsNs, origLen: p.origLen });
    const record = toTsharkRecord(values, all ? 'all' : 'first');
    if (only) for (const key of Object.keys(record)) if (!only.has(key)) delete record[key];
    out(JSON.stringify(record));
  });
  for (const e of result.errors) process.stderr.write(`dissect: ${file}: ${e.message} (${e.code}, byte ${e.offset})\n`);
  return result.format === null ? 1 : 0;
}
