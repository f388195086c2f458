/**
 * One relative-sequence computation: the Info column (summarize with the frame's TCP analysis)
 * and the ladder's TCP analysis (TcpStateTracker) give the same numbers, also on a capture that
 * starts mid-stream, and the analyzer forgets the least recently used conversations first.
 */
import { describe, expect, it } from 'vitest';
import { analyzeTcp, LINKTYPE, summarize, TcpAnalyzer } from '../../src/main/lab/dissect';
import { tcpWindowShiftOf, TcpStateTracker } from '../../src/main/lab/flows/tcp-state';
import { MID_STREAM_TCP } from '../helpers/crafted-frames';

/** Seq, Ack (when the ACK flag is set) and Win as the Info column writes them. */
function infoNumbers(info: string): string {
  const seq = /Seq=(\d+)/.exec(info)?.[1];
  const ack = /Ack=(\d+)/.exec(info)?.[1];
  const win = /Win=(\d+)/.exec(info)?.[1];
  return `Seq=${seq} Ack=${ack ?? '-'} Win=${win}`;
}

describe('relative TCP numbers', () => {
  it('are the same in the Info column and the ladder, as tshark numbers them', () => {
    const analyzer = new TcpAnalyzer();
    const tracker = new TcpStateTracker();
    const info: string[] = [];
    const ladder: string[] = [];
    for (const [i, frame] of MID_STREAM_TCP.entries()) {
      const meta = { number: i + 1, tsNs: BigInt(i) * 1000n };
      const summary = summarize(frame, LINKTYPE.ETHERNET, { ...meta, tcp: analyzeTcp(frame, LINKTYPE.ETHERNET, meta, analyzer) });
      info.push(infoNumbers(summary.info));
      const obs = tracker.observe(summary.flow, tcpWindowShiftOf(frame, LINKTYPE.ETHERNET, summary.flow));
      ladder.push(`Seq=${obs?.relSeq} Ack=${obs?.relAck ?? '-'} Win=${obs?.calcWindow}`);
    }
    // tshark 4.0 on the same frames (test/tshark/tcp-relative.test.ts checks this with tshark).
    const tshark = [
      'Seq=1 Ack=1 Win=500',
      'Seq=1 Ack=11 Win=300',
      'Seq=11 Ack=1 Win=500',
      'Seq=1 Ack=31 Win=300',
      'Seq=31 Ack=6 Win=500',
      'Seq=0 Ack=- Win=64240',
      'Seq=0 Ack=1 Win=65160',
      'Seq=1 Ack=1 Win=64256',
      'Seq=1 Ack=1 Win=64000',
    ];
    expect(info).toEqual(tshark);
    expect(ladder).toEqual(tshark);
  });

  it('forgets the least recently used conversation first, not everything at once', () => {
    const analyzer = new TcpAnalyzer({ maxConversations: 2 });
    const ACK = 0x10;
    const seg = (src: string, dst: string, seq: number, ack: number) =>
      analyzer.segment({ frame: 0, tsNs: 0n, src, dst, srcPort: 1, dstPort: 2, seq, ack, flags: ACK, window: 100, seglen: 10 }, null, []);
    seg('a', 'b', 1000, 5000); // stream 0
    seg('c', 'd', 7000, 9000); // stream 1
    seg('a', 'b', 1010, 5000); // stream 0 used again
    seg('e', 'f', 3000, 4000); // stream 2 evicts c-d
    expect(analyzer.size).toBe(2);
    // a-b kept its base (1000 was 1), c-d starts over as if mid-stream, as a new stream.
    expect(seg('a', 'b', 1020, 5000)).toMatchObject({ stream: 0, seq: 21 });
    expect(seg('c', 'd', 7050, 9000)).toMatchObject({ stream: 3, seq: 1 });
  });
});
