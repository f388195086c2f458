/**
 * The `capture.ladder` route: the ladder diagram of the conversation a held packet is part of,
 * drawn from the held packets (with the ties they got when they arrived), the call log and the
 * sockets the ties know (docs/ladder.md, "The ladder").
 */
import type { LadderPicture } from '@shared/capture';
import type { SocketView } from '../areas';
import { summarize } from '../dissect';
import type { FlowInfo } from '../dissect/types';
import { icmpFactsOf } from '../flows/icmp-facts';
import { buildLadder, selectConversation, type LadderPacket } from '../flows/ladder';
import { ladderToSvg } from '../flows/ladder-svg';
import { tcpWindowShiftOf } from '../flows/tcp-state';
import { captureFailure, type CaptureFailure } from './errors';
import { frameMeta, type PacketStore, type StoredPacket } from './store';
import type { CaptureTcpAnalysis } from './tcp-analysis';
import type { CaptureTies } from './ties';

type Answer = { ok: true; value: LadderPicture } | CaptureFailure;

/** A held packet as the ladder needs it: flow, ICMP facts, window scale, info, TCP analysis and tie. */
function ladderPacketOf(
  packet: StoredPacket,
  flow: FlowInfo | null,
  info: string,
  ties: CaptureTies,
  tcp: CaptureTcpAnalysis,
): LadderPacket {
  const analysis = flow?.proto === 'tcp' ? tcp.recordsOf(packet.no)?.[0] : undefined;
  return {
    no: packet.no,
    monoUs: packet.monoUs,
    flow,
    icmp: flow ? icmpFactsOf(packet.data, flow) : null,
    windowShift: tcpWindowShiftOf(packet.data, packet.linkType, flow),
    info,
    ...(analysis ? { tcpAnalysisFlags: analysis.flags } : {}),
    ...ties.tieOf(packet.no),
  };
}

/** Both ends of a flow, direction-free, to skip other conversations' packets cheaply. */
function pairKey(flow: FlowInfo): string {
  const x = `${flow.src}|${flow.srcPort}`;
  const y = `${flow.dst}|${flow.dstPort}`;
  return `${flow.proto} ${x < y ? `${x} ${y}` : `${y} ${x}`}`;
}

/**
 * Where each packet arrow sits in the picture: ladderToSvg draws each as
 * `<g … data-no="N"><text … y="label baseline"…><line … y1 … y2 …>`; from the label's top to
 * the arrowhead is the clickable band.
 */
function arrowsOf(svg: string): LadderPicture['arrows'] {
  const arrows: LadderPicture['arrows'] = [];
  const pattern = /data-no="(\d+)"><text [^>]*?y="([\d.]+)"[^>]*>.*?<\/text><line [^>]*?y1="([\d.]+)"[^>]*?y2="([\d.]+)"/g;
  for (const match of svg.matchAll(pattern)) {
    const labelBaseline = Number(match[2]);
    // The label is 11px text: its top is about one line above its baseline.
    arrows.push({ no: Number(match[1]), top: labelBaseline - 11, bottom: Math.max(Number(match[3]), Number(match[4])) + 2 });
  }
  return arrows;
}

/** The ladder picture of frame `no`'s conversation, or why there is none. */
export function ladderPicture(
  no: number,
  theme: 'light' | 'dark',
  store: PacketStore,
  ties: CaptureTies,
  sockets: SocketView,
  tcp: CaptureTcpAnalysis,
): Answer {
  const chosen = store.get(no);
  if (chosen === null) return captureFailure('EINVAL', `There is no packet ${no} to draw a ladder for.`);
  const chosenSummary = summarize(chosen.data, chosen.linkType);
  const chosenFlow = chosenSummary.flow;
  if (chosenFlow === null) {
    return captureFailure(
      'EINVAL',
      `Packet ${no} is ${chosenSummary.protocol}, not TCP, UDP or ICMP: it is not part of a conversation a ladder can draw.`,
    );
  }
  // ICMP (errors quoting the conversation, echo exchanges) always goes in; other packets only
  // when they travel between the same two endpoints. selectConversation decides the rest.
  const wanted = chosenFlow.proto === 'icmp' || chosenFlow.proto === 'icmpv6' ? null : pairKey(chosenFlow);
  const packets: LadderPacket[] = [];
  for (const packet of store.packets()) {
    const summary = summarize(packet.data, packet.linkType, { ...frameMeta(packet), tcp: tcp.recordsOf(packet.no) });
    const flow = summary.flow;
    if (!flow) continue;
    const icmp = flow.proto === 'icmp' || flow.proto === 'icmpv6';
    if (wanted === null || icmp || pairKey(flow) === wanted) packets.push(ladderPacketOf(packet, flow, summary.info, ties, tcp));
  }
  const conversation = selectConversation(packets, no);
  // The sockets the ties know, and those open now (a socket accept() returned after the last packet).
  const model = buildLadder(conversation, sockets.calls(), { sockets: [...ties.knownSockets(), ...sockets.sockets()] });
  if (model.proto === null) return captureFailure('EINVAL', `Packet ${no} is not part of a conversation a ladder can draw.`);
  // On a lab network, each column says which host it is (from its sockets).
  const hostOf = new Map(sockets.sockets().flatMap((s) => (s.host ? [[s.fd, s.host] as const] : [])));
  for (const column of model.columns) {
    const host = column.fds.map((fd) => hostOf.get(fd)).find((h) => h !== undefined);
    if (host) column.host = host;
  }
  const svg = ladderToSvg(model, { theme });
  const size = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  return {
    ok: true,
    value: {
      svg,
      width: size ? Number(size[1]) : 0,
      height: size ? Number(size[2]) : 0,
      conversation: { a: model.columns[0].endpoint, b: model.columns[1].endpoint, protocol: model.proto },
      arrows: arrowsOf(svg),
      truncated: model.truncated,
    },
  };
}
