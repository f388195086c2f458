/**
 * The `capture.expert` route: Wireshark's Expert Information list over the held packets, from
 * the analysis made as they arrived (no packet is decoded again): malformed frames (errors) and
 * the TCP analysis findings. Groups come by severity
 * (warnings first), then in the order packet-tcp.c reports the kinds; entries in frame order.
 */
import { EXPERT_ENTRIES_MAX, type ExpertGroup } from '@shared/capture';
import { expertKindsOf, TCP_A, TCP_EXPERT_KINDS } from '../dissect';
import type { PacketStore } from './store';
import type { CaptureTcpAnalysis } from './tcp-analysis';

/** The kind of a malformed or truncated frame (Wireshark's "Malformed Packet" errors). */
const MALFORMED = '_ws.malformed';
const SEVERITY_ORDER: readonly ExpertGroup['severity'][] = ['error', 'warn', 'note', 'chat'];

/** The Expert Information groups of the packets `store` holds. */
export function expertInfo(store: PacketStore, tcp: CaptureTcpAnalysis): ExpertGroup[] {
  const groups = new Map<string, ExpertGroup>();
  const add = (kind: string, severity: ExpertGroup['severity'], no: number, detail: number | null): void => {
    let group = groups.get(kind);
    if (!group) {
      group = { severity, kind, protocol: kind === MALFORMED ? '' : 'TCP', count: 0, entries: [] };
      groups.set(kind, group);
    }
    group.count += 1;
    if (group.entries.length < EXPERT_ENTRIES_MAX) group.entries.push({ no, detail });
  };
  for (let no = store.firstNo; no < store.nextNo; no++) {
    if (tcp.malformed(no)) add(MALFORMED, 'error', no, null);
    for (const record of tcp.recordsOf(no) ?? []) {
      for (const kind of expertKindsOf(record.flags)) {
        if (kind.flag === TCP_A.DUPLICATE_ACK && !record.dupAckNum) continue;
        add(kind.name, kind.severity, no, kind.flag === TCP_A.DUPLICATE_ACK ? record.dupAckNum : null);
        // Wireshark also reports a fast or spurious retransmission as a retransmission.
        if (kind.flag & (TCP_A.FAST_RETRANSMISSION | TCP_A.SPURIOUS_RETRANSMISSION)) add('tcp.analysis.retransmission', 'note', no, null);
      }
    }
  }
  const order = (kind: string) => TCP_EXPERT_KINDS.findIndex((k) => k.name === kind);
  return [...groups.values()].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || order(a.kind) - order(b.kind),
  );
}
