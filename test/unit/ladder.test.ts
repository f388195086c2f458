import { describe, expect, it } from 'vitest';
import {
  buildLadder,
  callText,
  selectConversation,
  tcpFlagNames,
  type LadderArrow,
  type LadderCall,
  type LadderPacket,
} from '../../src/main/lab/flows/ladder';
import { ladderToSvg, escapeXml } from '../../src/main/lab/flows/ladder-svg';
import type { IcmpFacts } from '../../src/main/lab/flows/icmp-facts';
import {
  ACK,
  call,
  callEvents,
  CLIENT,
  CLIENT_ISN,
  classicConversation,
  data,
  FIN,
  icmp,
  inet,
  PSH,
  RST,
  runTimeline,
  SERVER,
  SERVER_ISN,
  sock,
  SYN,
  tcp,
  udp,
} from './ties.fixtures';

const C = CLIENT,
  S = SERVER,
  c = CLIENT_ISN,
  s = SERVER_ISN;

/** The classic conversation, tied incrementally, as ladder packets plus the known sockets. */
function classicLadder() {
  const { events, calls, ids } = classicConversation();
  const { byNo, packets, ties } = runTimeline(events);
  const tied: LadderPacket[] = packets.map((p) => ({ ...p, ...byNo.get(p.no) }));
  return { model: buildLadder(tied, calls, { sockets: ties.knownSockets() }), calls, ids, tied };
}

const arrows = (rows: ReturnType<typeof buildLadder>['rows']) => rows.filter((r): r is LadderArrow => r.kind === 'packet');
const callRows = (rows: ReturnType<typeof buildLadder>['rows']) => rows.filter((r): r is LadderCall => r.kind === 'call');

/** A small well-formedness check: tags nest and close, attributes are quoted, entities known. */
function checkXml(xml: string): void {
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = token.exec(xml)) !== null) {
    if (match.index !== consumed) throw new Error(`unexpected text at ${consumed}`);
    consumed = token.lastIndex;
    const [, closing, name, , selfClosing, text, stray] = match;
    if (stray) throw new Error(`malformed tag at ${match.index}: ${xml.slice(match.index, match.index + 40)}`);
    if (text !== undefined) {
      const bad = text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, '').match(/[&>]/);
      if (bad) throw new Error(`unescaped ${bad[0]} in text near ${match.index}`);
      continue;
    }
    if (!name) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else if (!selfClosing) stack.push(name);
  }
  if (consumed !== xml.length) throw new Error('trailing data');
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
}

describe('buildLadder: the classic conversation', () => {
  const { model, ids } = classicLadder();

  it('puts the client on the left and the server (listener and accepted socket) on the right', () => {
    expect(model.proto).toBe('tcp');
    expect(model.columns).toEqual([
      { endpoint: '127.0.0.1:40000', socketIds: [4], fds: [4] },
      { endpoint: '127.0.0.1:8080', socketIds: [3, 5], fds: [3, 5] },
    ]);
    expect(model.initialStates).toEqual(['CLOSED', 'LISTEN']);
  });

  it('draws one arrow per segment with flags, relative numbers, length and window', () => {
    expect(arrows(model.rows).map((a) => [a.from, a.to, a.label])).toEqual([
      [0, 1, '[SYN] Seq=0 Win=65483 Len=0'],
      [1, 0, '[SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0'],
      [0, 1, '[ACK] Seq=1 Ack=1 Win=65483 Len=0'],
      [0, 1, '[PSH, ACK] Seq=1 Ack=1 Win=65483 Len=5'],
      [1, 0, '[ACK] Seq=1 Ack=6 Win=65483 Len=0'],
      [0, 1, '[FIN, ACK] Seq=6 Ack=1 Win=65483 Len=0'],
      [1, 0, '[ACK] Seq=1 Ack=7 Win=65483 Len=0'],
      [1, 0, '[FIN, ACK] Seq=1 Ack=7 Win=65483 Len=0'],
      [0, 1, '[ACK] Seq=7 Ack=2 Win=65483 Len=0'],
    ]);
  });

  it('shows each side’s TCP state where it changed, in order', () => {
    const changes = (column: 0 | 1) => arrows(model.rows).flatMap((a) => (a.changed[column] ? [a.states[column]] : []));
    expect(changes(0)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(changes(1)).toEqual(['SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });

  it('draws each side’s calls where they happened, before the packets they caused', () => {
    const order = model.rows.map((r) => (r.kind === 'call' ? `${r.side}:${r.call}` : `#${r.no}`));
    expect(order).toEqual([
      '1:socket',
      '1:bind',
      '1:listen',
      '0:socket',
      '0:connect',
      '#1',
      '#2',
      '#3',
      '1:accept',
      '0:send',
      '#4',
      '#5',
      '1:recv',
      '0:shutdown',
      '#6',
      '#7',
      '1:recv',
      '1:close',
      '#8',
      '#9',
      '0:close',
    ]);
    expect(callRows(model.rows).find((r) => r.call === 'connect')?.text).toBe('connect(4, 127.0.0.1:8080) = 0');
    expect(callRows(model.rows).find((r) => r.call === 'accept')?.text).toBe('accept(3) = 5');
    expect(arrows(model.rows).map((a) => a.callId)).toEqual([
      ids.connect,
      null,
      null,
      ids.send,
      null,
      ids.shutdown,
      null,
      ids.serverClose,
      null,
    ]);
    expect(model.rows[0].timeUs).toBe(0);
    expect(model.startMonoUs).toBe(100);
  });
});

describe('buildLadder: what stands out, UDP and ICMP', () => {
  it('marks RST, zero window and retransmission', () => {
    const packets: LadderPacket[] = [
      tcp(1, 1, C, S, c, 0, SYN),
      tcp(2, 2, S, C, s, c + 1, SYN | ACK),
      tcp(3, 3, C, S, c + 1, s + 1, ACK),
      tcp(4, 4, C, S, c + 1, s + 1, PSH | ACK, 100),
      tcp(5, 5, S, C, s + 1, c + 101, ACK, 0, 0),
      tcp(6, 6, C, S, c + 1, s + 1, PSH | ACK, 100),
      tcp(7, 7, C, S, c + 101, s + 1, RST | ACK),
    ];
    const model = buildLadder(packets, []);
    expect(arrows(model.rows).map((a) => a.marks)).toEqual([[], [], [], [], ['zero-window'], ['retransmission'], ['rst']]);
    const svg = ladderToSvg(model);
    expect(svg).toContain('class="packet rst"');
    expect(svg).toContain('class="packet warn"');
    expect(svg).toContain('class="packet retrans"');
    expect(svg).toContain('>zero window<');
  });

  it('draws a UDP exchange and the ICMP port unreachable it drew, tied to the sending socket', () => {
    const from = { addr: '127.0.0.1', port: 51000 };
    const to = { addr: '127.0.0.1', port: 9998 };
    const unreachable: IcmpFacts = {
      type: 3,
      code: 3,
      isError: true,
      echo: null,
      quoted: { proto: 'udp', family: 4, src: from.addr, dst: to.addr, srcPort: from.port, dstPort: to.port },
    };
    const sendto = call(60, 6, 'sendto', { data: data(4), address: inet(to), flags: [] }, 100, 102, 4);
    const other = udp(3, 101.1, { addr: '10.0.0.1', port: 1 }, { addr: '10.0.0.2', port: 2 }, 9);
    const { byNo, packets } = runTimeline([
      { at: 0, sockets: [sock(6, { type: 'SOCK_DGRAM' })] },
      ...callEvents(sendto),
      { at: 101, packet: udp(1, 101, from, to, 4) },
      { at: 101.1, packet: other },
      { at: 101.2, packet: icmp(2, 101.2, '127.0.0.1', '127.0.0.1', unreachable, 32, 'Destination unreachable (Port unreachable)') },
    ]);
    const tied = packets.map((p) => ({ ...p, ...byNo.get(p.no) }));
    const conversation = selectConversation(tied, 1);
    expect(conversation.map((p) => p.no)).toEqual([1, 2]);
    const model = buildLadder(conversation, [sendto]);
    expect(model.columns.map((col) => col.endpoint)).toEqual(['127.0.0.1:51000', '127.0.0.1:9998']);
    expect(model.columns[0].fds).toEqual([6]);
    expect(model.rows.map((r) => (r.kind === 'call' ? r.text : `${r.from}->${r.to} ${r.label} ${r.marks.join()}`))).toEqual([
      'sendto(6, 127.0.0.1:9998, 4 bytes) = 4',
      '0->1 UDP Len=4 ',
      '1->0 Destination unreachable (Port unreachable) icmp-error',
    ]);
  });

  it('draws a ping over loopback: request right, reply back', () => {
    const request: IcmpFacts = { type: 8, code: 0, isError: false, echo: { id: 7, seq: 1, request: true }, quoted: null };
    const reply: IcmpFacts = { ...request, type: 0, echo: { id: 7, seq: 1, request: false } };
    const model = buildLadder([icmp(1, 10, '127.0.0.1', '127.0.0.1', request, 56), icmp(2, 11, '127.0.0.1', '127.0.0.1', reply, 56)], []);
    expect(model.columns.map((col) => col.endpoint)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(arrows(model.rows).map((a) => `${a.from}->${a.to} ${a.label}`)).toEqual([
      '0->1 Echo request id=7 seq=1',
      '1->0 Echo reply id=7 seq=1',
    ]);
    expect(model.initialStates).toEqual([null, null]);
  });

  it('picks only the selected TCP connection when a 4-tuple was used twice', () => {
    const first = classicConversation().events.flatMap((e) => ('packet' in e ? [e.packet] : []));
    const again = [tcp(20, 5000, C, S, 9000, 0, SYN), tcp(21, 5001, S, C, 3000, 9001, SYN | ACK)];
    expect(selectConversation([...first, ...again], 21).map((p) => p.no)).toEqual([20, 21]);
    expect(selectConversation([...first, ...again], 2)).toHaveLength(9);
    expect(selectConversation(first, 999)).toEqual([]);
  });

  it('keeps at most maxRows rows and says so', () => {
    const model = buildLadder(
      classicConversation().events.flatMap((e) => ('packet' in e ? [e.packet] : [])),
      [],
      { maxRows: 4 },
    );
    expect(model.rows).toHaveLength(4);
    expect(model.truncated).toBe(true);
  });

  it('gives an empty model for no packets', () => {
    expect(buildLadder([], []).rows).toEqual([]);
  });

  it('writes calls as C reads them', () => {
    expect(callText(call(1, 4, 'recv', { maxBytes: 4096 }, 0, 1, -1, 'EAGAIN'), 4)).toBe('recv(4, 4096) = -1 EAGAIN');
    expect(callText({ ...call(2, 3, 'accept', {}, 0, 1, 5), ret: null }, 3)).toBe('accept(3) …');
    expect(tcpFlagNames(FIN | ACK)).toBe('FIN, ACK');
  });
});

describe('ladderToSvg', () => {
  const { model } = classicLadder();

  it('is a well-formed standalone SVG with every arrow, label, call and state', () => {
    const svg = ladderToSvg(model);
    checkXml(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g class="packet /g)).toHaveLength(9);
    expect(svg.match(/<line [^>]*marker-end="url\(#ladder-head-(sent|kernel)\)"/g)).toHaveLength(9);
    expect(svg.match(/<g class="call/g)).toHaveLength(12);
    for (const text of [
      '#2 [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0',
      'connect(4, 127.0.0.1:8080) = 0',
      '>TIME_WAIT<',
      '>LAST_ACK<',
      '127.0.0.1:8080 (fd 3, 5)',
    ]) {
      expect(svg).toContain(text);
    }
    // No external references: nothing but the SVG namespace and in-document #ids.
    expect(svg.match(/https?:\/\//g)).toEqual(['http://']);
    expect(svg).not.toMatch(/href=|@import|url\((?!#)/);
  });

  it('follows the theme and the labels it is given, escaping text', () => {
    const dark = ladderToSvg(model, { theme: 'dark', labels: { time: '时间 (秒)', kernel: '内核' }, idPrefix: 'x<y' });
    checkXml(dark);
    expect(dark).toContain('#0d1117');
    expect(dark).toContain('时间 (秒)');
    expect(dark).toContain('>内核<');
    expect(dark).toContain('url(#x&lt;y-head-sent)');
    expect(ladderToSvg(model)).toContain('#ffffff');
    expect(escapeXml(`<a & "b">`)).toBe('&lt;a &amp; &quot;b&quot;&gt;');
  });
});
