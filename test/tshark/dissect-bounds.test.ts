/**
 * The crafted frames of test/helpers/crafted-frames.ts written to a capture with SockLab's pcapng
 * writer and decoded by tshark: every compared field (all occurrences) and the set of frames
 * tshark calls malformed must match SockLab's.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fieldValues, LINKTYPE, toTsharkRecord } from '../../src/main/lab/dissect';
import { CRAFTED } from '../helpers/crafted-frames';
import { skipWithoutTshark, tshark, withCapture } from '../helpers/tshark';

const FIELDS = [
  'eth.type',
  'ip.len',
  'ip.proto',
  'ip.src',
  'ip.dst',
  'ipv6.plen',
  'ipv6.nxt',
  'ipv6.opt.jumbo',
  'icmp.type',
  'icmp.code',
  'icmp.checksum',
  'icmp.ident',
  'icmp.seq',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'arp.opcode',
  'arp.src.hw_mac',
  'arp.dst.hw_mac',
  'erspan.version',
  'erspan.vlan',
  'erspan.spanid',
  'erspan.timestamp',
];

describe('crafted frames: layer bounds and new layers, against tshark', () => {
  beforeEach(skipWithoutTshark);

  it('decodes the same fields and marks the same frames malformed', () => {
    const names = Object.keys(CRAFTED) as (keyof typeof CRAFTED)[];
    const frames = names.map((name) => CRAFTED[name]);
    withCapture(frames, LINKTYPE.ETHERNET, (file) => {
      const args = ['-r', file, '-n', '-T', 'fields', '-E', 'occurrence=a', '-E', 'separator=/t', ...FIELDS.flatMap((f) => ['-e', f])];
      const theirs = tshark(args)
        .split('\n')
        .filter((line) => line !== '')
        .map((line, i) => {
          const record: Record<string, string> = { frame: names[i] };
          line.split('\t').forEach((text, k) => {
            if (text !== '') record[FIELDS[k]] = text;
          });
          return record;
        });
      const mine = frames.map((frame, i) => {
        const all = toTsharkRecord(fieldValues(frame, LINKTYPE.ETHERNET), 'all');
        const record: Record<string, string> = { frame: names[i] };
        for (const f of FIELDS) if (all[f] !== undefined) record[f] = all[f];
        return record;
      });
      expect(mine).toEqual(theirs);
      const malformed = tshark(['-r', file, '-Y', '_ws.malformed', '-T', 'fields', '-e', 'frame.number'])
        .split('\n')
        .filter(Boolean)
        .map((n) => names[Number(n) - 1]);
      expect(names.filter((_, i) => fieldValues(frames[i], LINKTYPE.ETHERNET).has('_ws.malformed'))).toEqual(malformed);
    });
  });
});
