/**
 * One relative-sequence computation: the Info column (summarize with a TcpSequenceState) and the
 * ladder's TCP analysis (TcpStateTracker) give the same numbers, also on a capture that starts
 * mid-stream, and the state forgets the least recently used directions first.
 */
import { describe, expect, it } from 'vitest';
import { LINKTYPE, summarize, TcpSequenceState } from '../../src/main/lab/dissect';
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
    const state = new TcpSequenceState();
    const tracker = new TcpStateTracker();
    const info: string[] = [];
    const ladder: string[] = [];
    for (const frame of MID_STREAM_TCP) {
      const summary = summarize(frame, LINKTYPE.ETHERNET, {}, state);
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

  it('forgets the least recently used direction first, not everything at once', () => {
    const state = new TcpSequenceState({ maxDirections: 4 });
    const ACK = 0x10;
    state.observe('a>b', 'b>a', 1000, 5000, ACK, 100, null); // a>b and b>a
    state.observe('c>d', 'd>c', 7000, 9000, ACK, 100, null); // c>d and d>c: 4 directions
    state.observe('a>b', 'b>a', 1010, 5000, ACK, 100, null); // a>b, b>a used again
    state.observe('e>f', 'f>e', 3000, 4000, ACK, 100, null); // evicts c>d and d>c
    expect(state.size).toBe(4);
    // a>b kept its base (1000 was 1), c>d starts over as if mid-stream.
    expect(state.observe('a>b', 'b>a', 1020, 5000, ACK, 100, null).seq).toBe(21);
    expect(state.observe('c>d', 'd>c', 7050, 9000, ACK, 100, null).seq).toBe(1);
  });
});
