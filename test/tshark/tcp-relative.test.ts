/**
 * Relative TCP numbers against tshark on a capture that starts mid-stream and one with a
 * handshake and window scaling: the Info column (summarize with the frames' TCP analysis) must equal
 * tshark's Info column, and the ladder's tracker must give tshark's tcp.seq, tcp.ack and
 * tcp.window_size.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { analyzeTcp, LINKTYPE, summarize, TcpAnalyzer } from '../../src/main/lab/dissect';
import { tcpWindowShiftOf, TcpStateTracker } from '../../src/main/lab/flows/tcp-state';
import { MID_STREAM_TCP } from '../helpers/crafted-frames';
import { skipWithoutTshark, tsharkFields, withCapture } from '../helpers/tshark';

describe('relative TCP numbers against tshark', () => {
  beforeEach(skipWithoutTshark);

  it('gives the Info column and the ladder the numbers tshark gives', () => {
    const theirs = withCapture(MID_STREAM_TCP, LINKTYPE.ETHERNET, (file) =>
      tsharkFields(file, ['tcp.seq', 'tcp.ack', 'tcp.window_size', '_ws.col.Info']),
    );
    const analyzer = new TcpAnalyzer();
    const tracker = new TcpStateTracker();
    const info: string[] = [];
    const ladder: Record<string, string>[] = [];
    for (const [i, frame] of MID_STREAM_TCP.entries()) {
      // The times withCapture gives the frames.
      const meta = { number: i + 1, tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n };
      const summary = summarize(frame, LINKTYPE.ETHERNET, { ...meta, tcp: analyzeTcp(frame, LINKTYPE.ETHERNET, meta, analyzer) });
      info.push(summary.info);
      const obs = tracker.observe(summary.flow, tcpWindowShiftOf(frame, LINKTYPE.ETHERNET, summary.flow));
      ladder.push({ 'tcp.seq': String(obs?.relSeq), 'tcp.ack': String(obs?.relAck ?? 0), 'tcp.window_size': String(obs?.calcWindow) });
    }
    expect(info).toEqual(theirs.map((t) => t['_ws.col.Info']));
    // tshark prints tcp.ack 0 when the ACK flag is not set.
    expect(ladder).toEqual(
      theirs.map((t) => ({ 'tcp.seq': t['tcp.seq'], 'tcp.ack': t['tcp.ack'], 'tcp.window_size': t['tcp.window_size'] })),
    );
  });
});
