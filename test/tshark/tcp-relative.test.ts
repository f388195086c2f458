/**
 * Relative TCP numbers against tshark on a capture that starts mid-stream and one with a
 * handshake and window scaling: the Info column (summarize with a TcpSequenceState) must equal
 * tshark's Info column, and the ladder's tracker must give tshark's tcp.seq, tcp.ack and
 * tcp.window_size.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { LINKTYPE, summarize, TcpSequenceState } from '../../src/main/lab/dissect';
import { tcpWindowShiftOf, TcpStateTracker } from '../../src/main/lab/flows/tcp-state';
import { MID_STREAM_TCP } from '../helpers/crafted-frames';
import { skipWithoutTshark, tsharkFields, withCapture } from '../helpers/tshark';

describe('relative TCP numbers against tshark', () => {
  beforeEach(skipWithoutTshark);

  it('gives the Info column and the ladder the numbers tshark gives', () => {
    const theirs = withCapture(MID_STREAM_TCP, LINKTYPE.ETHERNET, (file) =>
      tsharkFields(file, ['tcp.seq', 'tcp.ack', 'tcp.window_size', '_ws.col.Info']),
    );
    const state = new TcpSequenceState();
    const tracker = new TcpStateTracker();
    const info: string[] = [];
    const ladder: Record<string, string>[] = [];
    for (const frame of MID_STREAM_TCP) {
      const summary = summarize(frame, LINKTYPE.ETHERNET, {}, state);
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
