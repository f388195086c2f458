/** TCP: ports, sequence numbers, flags, options (MSS, window scale, SACK, timestamps). */
import { fold, pseudoHeaderSum, sum16 } from './checksum';
import { type Ctx, IP_PROTOCOLS } from './context';
import { field, hex, protocol } from './fields';
import type { TcpAnalysis } from './tcp-analysis';
import { analysisInfoPrefix, isBadTcp, showTcpAnalysis, TCP_ANALYSIS } from './tcp-analysis-fields';

export const TCP = {
  proto: protocol('tcp', 'Transmission Control Protocol'),
  srcport: field('tcp.srcport', 'Source Port', 'uint'),
  dstport: field('tcp.dstport', 'Destination Port', 'uint'),
  port: field('tcp.port', 'Source or Destination Port', 'uint', { hidden: true }),
  len: field('tcp.len', 'TCP Segment Len', 'uint'),
  seqRaw: field('tcp.seq_raw', 'Sequence Number (raw)', 'uint'),
  ackRaw: field('tcp.ack_raw', 'Acknowledgment number (raw)', 'uint'),
  hdrLen: field('tcp.hdr_len', 'Header Length', 'uint'),
  flags: field('tcp.flags', 'Flags', 'uint', { hexDigits: 4 }),
  res: field('tcp.flags.res', 'Reserved', 'bool'),
  ae: field('tcp.flags.ae', 'Accurate ECN', 'bool'),
  cwr: field('tcp.flags.cwr', 'Congestion Window Reduced', 'bool'),
  ece: field('tcp.flags.ece', 'ECN-Echo', 'bool'),
  urg: field('tcp.flags.urg', 'Urgent', 'bool'),
  ack: field('tcp.flags.ack', 'Acknowledgment', 'bool'),
  push: field('tcp.flags.push', 'Push', 'bool'),
  reset: field('tcp.flags.reset', 'Reset', 'bool'),
  syn: field('tcp.flags.syn', 'Syn', 'bool'),
  fin: field('tcp.flags.fin', 'Fin', 'bool'),
  window: field('tcp.window_size_value', 'Window', 'uint'),
  checksum: field('tcp.checksum', 'Checksum', 'uint', { hexDigits: 4 }),
  checksumStatus: field('tcp.checksum.status', 'Checksum Status', 'uint', { names: { 0: 'Bad', 1: 'Good', 2: 'Unverified' } }),
  urgentPointer: field('tcp.urgent_pointer', 'Urgent Pointer', 'uint'),
  options: field('tcp.options', 'Options', 'bytes'),
  optionKind: field('tcp.option_kind', 'Kind', 'uint'),
  optionLen: field('tcp.option_len', 'Length', 'uint'),
  nop: protocol('tcp.options.nop', 'TCP Option - No-Operation (NOP)'),
  eol: protocol('tcp.options.eol', 'TCP Option - End of Option List (EOL)'),
  mss: protocol('tcp.options.mss', 'TCP Option - Maximum segment size'),
  mssVal: field('tcp.options.mss_val', 'MSS Value', 'uint'),
  wscale: protocol('tcp.options.wscale', 'TCP Option - Window scale'),
  wscaleShift: field('tcp.options.wscale.shift', 'Shift count', 'uint'),
  wscaleMultiplier: field('tcp.options.wscale.multiplier', 'Multiplier', 'uint'),
  sackPerm: protocol('tcp.options.sack_perm', 'TCP Option - SACK permitted'),
  sack: protocol('tcp.options.sack', 'TCP Option - SACK'),
  sackLe: field('tcp.options.sack_le', 'left edge', 'uint'),
  sackRe: field('tcp.options.sack_re', 'right edge', 'uint'),
  timestamp: protocol('tcp.options.timestamp', 'TCP Option - Timestamps'),
  tsval: field('tcp.options.timestamp.tsval', 'Timestamp value', 'uint'),
  tsecr: field('tcp.options.timestamp.tsecr', 'Timestamp echo reply', 'uint'),
  payload: field('tcp.payload', 'TCP payload', 'bytes'),
} as const;

const FLAG_NAMES: readonly [number, string][] = [
  [0x001, 'FIN'],
  [0x002, 'SYN'],
  [0x004, 'RST'],
  [0x008, 'PSH'],
  [0x010, 'ACK'],
  [0x020, 'URG'],
  [0x040, 'ECE'],
  [0x080, 'CWR'],
  [0x100, 'AE'],
];

/** "SYN, ACK" as in Wireshark's Info column. */
export function tcpFlagsText(flags: number): string {
  let out = '';
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) out += out ? `, ${name}` : name;
  return out;
}

const OPTION_NAMES: Readonly<Record<number, string>> = {
  2: 'Maximum segment size',
  3: 'Window scale',
  4: 'SACK permitted',
  5: 'SACK',
  8: 'Timestamps',
  19: 'MD5 signature',
  28: 'User Timeout',
  29: 'TCP-AO',
  30: 'Multipath TCP',
  34: 'TCP Fast Open Cookie',
};

/** Options between the fixed header and the data offset; returns their Info column text. */
function options(ctx: Ctx, off: number, end: number): string {
  const { r, sink } = ctx;
  let info = '';
  if (sink.wantsFields) sink.field(TCP.options, off, end - off, r.hexBytes(off, end - off), `(${end - off} bytes)`);
  let o = off;
  while (o < end) {
    const kind = r.u8(o);
    if (kind === 0 || kind === 1) {
      sink.open(
        kind === 0 ? TCP.eol : TCP.nop,
        o,
        1,
        kind === 0 ? 'TCP Option - End of Option List (EOL)' : 'TCP Option - No-Operation (NOP)',
      );
      sink.field(TCP.optionKind, o, 1, kind);
      sink.close();
      o++;
      if (kind === 0) break;
      continue;
    }
    const name = OPTION_NAMES[kind] ?? `Unknown (${kind})`;
    if (o + 1 >= end) {
      ctx.problem(`[TCP option ${name}: length byte missing]`, o, end - o);
      break;
    }
    const len = r.u8(o + 1);
    if (len < 2 || o + len > end) {
      ctx.problem(`[TCP option ${name}: length ${len} is bogus]`, o, end - o);
      break;
    }
    const decl =
      kind === 2
        ? TCP.mss
        : kind === 3
          ? TCP.wscale
          : kind === 4
            ? TCP.sackPerm
            : kind === 5
              ? TCP.sack
              : kind === 8
                ? TCP.timestamp
                : TCP.optionKind;
    sink.open(decl, o, len, `TCP Option - ${name}`);
    sink.field(TCP.optionKind, o, 1, kind);
    sink.field(TCP.optionLen, o + 1, 1, len);
    if (kind === 2 && len === 4) {
      sink.field(TCP.mssVal, o + 2, 2, r.u16(o + 2));
      info += ` MSS=${r.u16(o + 2)}`;
    } else if (kind === 3 && len === 3) {
      const shift = r.u8(o + 2);
      sink.field(TCP.wscaleShift, o + 2, 1, shift);
      sink.field(TCP.wscaleMultiplier, o + 2, 1, shift > 14 ? 16384 : 1 << shift);
      info += ` WS=${shift > 14 ? 16384 : 1 << shift}`;
    } else if (kind === 4 && len === 2) {
      info += ' SACK_PERM';
    } else if (kind === 5) {
      for (let e = o + 2; e + 8 <= o + len; e += 8) {
        sink.field(TCP.sackLe, e, 4, r.u32(e));
        sink.field(TCP.sackRe, e + 4, 4, r.u32(e + 4));
        info += ` SLE=${r.u32(e)} SRE=${r.u32(e + 4)}`;
      }
    } else if (kind === 8 && len === 10) {
      sink.field(TCP.tsval, o + 2, 4, r.u32(o + 2));
      sink.field(TCP.tsecr, o + 6, 4, r.u32(o + 6));
      info += ` TSval=${r.u32(o + 2)} TSecr=${r.u32(o + 6)}`;
    }
    sink.close();
    o += len;
  }
  return info;
}

/** Checksum label: correct, wrong, or left for the NIC (partial checksum on loopback). */
function checksumText(ctx: Ctx, off: number, segLen: number, checksum: number): { text: string; note?: string } {
  const net = ctx.net;
  if (!net || !ctx.r.has(off, segLen) || ctx.quoted) return { text: `${hex(checksum, 4)} [unverified]` };
  const pseudo = pseudoHeaderSum(ctx.r, net.family, net.srcOff, net.dstOff, 6, segLen);
  const computed = ~fold(sum16(ctx.r, off, segLen, pseudo) - checksum) & 0xffff;
  if (computed === checksum) return { text: `${hex(checksum, 4)} [correct]` };
  // With checksum offload the kernel leaves only the pseudo-header sum for the NIC to finish;
  // on loopback nothing finishes it, so the packet is fine.
  if (checksum === fold(pseudo)) {
    return {
      text: `${hex(checksum, 4)} [not computed (offload)]`,
      note: 'Checksum not computed: offloaded to the network card (always the case on loopback)',
    };
  }
  return { text: `${hex(checksum, 4)} [incorrect, should be ${hex(computed, 4)}]` };
}

function dissectTcp(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  sink.open(TCP.proto, off, Math.max(0, end - off), 'Transmission Control Protocol');
  if (!ctx.need(off, 4, 'TCP header')) return close(ctx, end - off);
  const sport = r.u16(off);
  const dport = r.u16(off + 2);
  sink.field(TCP.srcport, off, 2, sport);
  sink.field(TCP.port, off, 2, sport);
  sink.field(TCP.dstport, off + 2, 2, dport);
  sink.field(TCP.port, off + 2, 2, dport);
  ctx.columns('TCP', `${sport} → ${dport}`);
  if (!ctx.need(off, 16, 'TCP header')) return close(ctx, end - off);
  const seq = r.u32(off + 4);
  const ack = r.u32(off + 8);
  const hlen = (r.u8(off + 12) >> 4) * 4;
  const flags = r.u16(off + 12) & 0xfff;
  const win = r.u16(off + 14);
  const segLen = reported >= hlen && hlen >= 20 ? reported - hlen : -1;
  const analysis = tcpAnalysis(ctx, off, reported, { sport, dport, seq, ack, flags, win, hlen });
  if (analysis) sink.field(TCP_ANALYSIS.stream, off, 0, analysis.stream);
  if (segLen >= 0) sink.field(TCP.len, off + 12, 1, segLen);
  if (analysis) sink.field(TCP_ANALYSIS.seq, off + 4, 4, analysis.seq);
  sink.field(TCP.seqRaw, off + 4, 4, seq);
  if (analysis && analysis.nxtseq >= 0) sink.field(TCP_ANALYSIS.nxtseq, off, 0, analysis.nxtseq);
  if (analysis) sink.field(TCP_ANALYSIS.ack, off + 8, 4, analysis.ack);
  sink.field(TCP.ackRaw, off + 8, 4, ack);
  const bogusHlen = hlen < 20;
  sink.field(
    TCP.hdrLen,
    off + 12,
    1,
    hlen,
    bogusHlen ? `${hlen} bytes (bogus, must be at least 20)` : `${hlen} bytes (${hlen / 4})`,
    bogusHlen ? 'error' : undefined,
  );
  sink.open(TCP.flags, off + 12, 2, `Flags: ${hex(flags, 3)} (${tcpFlagsText(flags)})`, flags);
  sink.field(TCP.res, off + 12, 1, (flags >> 9) & 7);
  sink.field(TCP.ae, off + 12, 1, (flags >> 8) & 1);
  sink.field(TCP.cwr, off + 13, 1, (flags >> 7) & 1);
  sink.field(TCP.ece, off + 13, 1, (flags >> 6) & 1);
  sink.field(TCP.urg, off + 13, 1, (flags >> 5) & 1);
  sink.field(TCP.ack, off + 13, 1, (flags >> 4) & 1);
  sink.field(TCP.push, off + 13, 1, (flags >> 3) & 1);
  sink.field(TCP.reset, off + 13, 1, (flags >> 2) & 1);
  sink.field(TCP.syn, off + 13, 1, (flags >> 1) & 1);
  sink.field(TCP.fin, off + 13, 1, flags & 1);
  sink.close();
  sink.field(TCP.window, off + 14, 2, win);
  if (analysis) {
    sink.field(TCP_ANALYSIS.windowSize, off + 14, 2, analysis.window);
    const scale = analysis.windowScale;
    if (!(flags & 0x02)) sink.field(TCP_ANALYSIS.scaleFactor, off + 14, 2, scale >= 0 ? 2 ** scale : scale);
  }
  if (flags & 0x02) ctx.setMark('syn');
  if (flags & 0x01) ctx.setMark('fin');
  if (flags & 0x04) ctx.setMark('rst');
  if (analysis && isBadTcp(analysis.flags)) ctx.setMark('tcp-bad');
  const head = (s: number, a: number, w: number): string =>
    `${sport} → ${dport} [${tcpFlagsText(flags)}] Seq=${s}${flags & 0x10 ? ` Ack=${a}` : ''} Win=${w}`;
  let info = analysis ? head(analysis.seq, analysis.ack, analysis.window) : head(seq, ack, win);
  if (!ctx.need(off + 16, 4, 'TCP header')) {
    ctx.columns('TCP', info);
    return close(ctx, end - off);
  }
  const checksum = r.u16(off + 16);
  const verdict =
    sink.wantsFields && segLen >= 0 && reported === end - off
      ? checksumText(ctx, off, reported, checksum)
      : { text: `${hex(checksum, 4)} [unverified]` };
  sink.field(TCP.checksum, off + 16, 2, checksum, verdict.text);
  if (verdict.note) sink.note(verdict.note, off + 16, 2, 'note');
  sink.field(TCP.checksumStatus, off + 16, 0, 2);
  sink.field(TCP.urgentPointer, off + 18, 2, r.u16(off + 18));
  let tail = `${flags & 0x20 ? ` Urg=${r.u16(off + 18)}` : ''} Len=${Math.max(0, segLen)}`;
  info += tail;
  if (bogusHlen || (segLen < 0 && reported >= 0)) {
    ctx.problem(`[Bogus TCP header length (${hlen}, must be at least 20 and at most ${reported})]`, off + 12, 1);
    ctx.columns('TCP', info);
    return close(ctx, end - off);
  }
  if (hlen > 20) {
    if (!ctx.need(off + 20, hlen - 20, 'TCP options')) {
      ctx.columns('TCP', info);
      return close(ctx, end - off);
    }
    tail += options(ctx, off + 20, off + hlen);
  }
  info = analysis ? analysisInfoPrefix(analysis) + head(analysis.seq, analysis.ack, analysis.window) + tail : head(seq, ack, win) + tail;
  ctx.columns('TCP', info);
  if (analysis) showTcpAnalysis(sink, analysis, off);
  const payloadOff = off + hlen;
  const captured = Math.max(0, Math.min(end, reported >= 0 ? off + reported : end) - payloadOff);
  if (captured > 0 && sink.wantsFields) sink.field(TCP.payload, payloadOff, captured, r.hexBytes(payloadOff, captured), `${segLen} bytes`);
  sink.close();
  if (!ctx.quoted && ctx.net) {
    ctx.flow = {
      proto: 'tcp',
      family: ctx.net.family,
      src: ctx.net.src,
      dst: ctx.net.dst,
      srcPort: sport,
      dstPort: dport,
      tcp: { seq, ack, flags, window: win },
      payloadOffset: payloadOff,
      payloadLength: captured,
    };
  }
  return end - off;
}

/**
 * The TCP analysis of this header: computed now while the analysis pass runs (ctx.tcpAnalyzer),
 * else the record that pass gave, or null when the packet comes without one. Wireshark analyses
 * a segment only when its length is known (not inside an ICMP error, not a fragment); a quoted
 * header still gets its conversation's stream number.
 */
function tcpAnalysis(
  ctx: Ctx,
  off: number,
  reported: number,
  h: { sport: number; dport: number; seq: number; ack: number; flags: number; win: number; hlen: number },
): TcpAnalysis | null {
  if (!ctx.tcpAnalyzer) return ctx.tcpRecords[ctx.tcpNext++] ?? null;
  if (!ctx.net) return null;
  const seglen = !ctx.quoted && reported >= h.hlen ? reported - h.hlen : -1;
  let wsShift: number | null = null;
  const sack: number[] = [];
  const { r } = ctx;
  if (h.hlen > 20 && r.has(off + 20, h.hlen - 20)) {
    // The options the analysis needs: window scale and SACK blocks (see options() for the tree).
    for (let o = off + 20; o < off + h.hlen;) {
      const kind = r.u8(o);
      if (kind === 0) break;
      if (kind === 1) {
        o++;
        continue;
      }
      if (o + 1 >= off + h.hlen) break;
      const len = r.u8(o + 1);
      if (len < 2 || o + len > off + h.hlen) break;
      if (kind === 3 && len === 3) wsShift = r.u8(o + 2);
      if (kind === 5) for (let e = o + 2; e + 8 <= o + len; e += 8) sack.push(r.u32(e), r.u32(e + 4));
      o += len;
    }
  }
  const record = ctx.tcpAnalyzer.segment(
    {
      frame: ctx.frameNo,
      tsNs: ctx.tsNs,
      src: ctx.net.src,
      dst: ctx.net.dst,
      srcPort: h.sport,
      dstPort: h.dport,
      seq: h.seq,
      ack: h.ack,
      flags: h.flags,
      window: h.win,
      seglen,
    },
    wsShift,
    sack,
  );
  ctx.tcpRecords.push(record);
  return record;
}

function close(ctx: Ctx, n: number): number {
  ctx.sink.close();
  return n;
}

IP_PROTOCOLS.set(6, dissectTcp);
