/**
 * The TcpAnalyzer's bounds: unacknowledged segments are capped per direction (Wireshark's 1,000)
 * and in all, the least recently used conversations forgotten first; an ACK frees what it
 * acknowledges. (Agreement with tshark: test/tshark/tcp-analysis.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { TcpAnalyzer } from '../../src/main/lab/dissect';

const ACK = 0x10;

function send(analyzer: TcpAnalyzer, host: number, seq: number, ack = 1, seglen = 100, fromServer = false) {
  const client = `10.0.0.${host}`;
  const [src, dst] = fromServer ? ['10.9.9.9', client] : [client, '10.9.9.9'];
  const [srcPort, dstPort] = fromServer ? [80, 40000] : [40000, 80];
  return analyzer.segment({ frame: 0, tsNs: 0n, src, dst, srcPort, dstPort, seq, ack, flags: ACK, window: 1000, seglen }, null, []);
}

describe('TcpAnalyzer bounds', () => {
  it('keeps at most 1,000 unacknowledged segments a direction, and an ACK frees them', () => {
    const analyzer = new TcpAnalyzer();
    for (let i = 0; i < 1500; i++) send(analyzer, 1, 1000 + i * 100);
    expect(analyzer.unackedSegments).toBe(1000);
    send(analyzer, 1, 1, 1000 + 1500 * 100, 0, true);
    expect(analyzer.unackedSegments).toBe(0);
  });

  it('forgets the least recently used conversations when all of them hold too many segments', () => {
    const analyzer = new TcpAnalyzer({ maxUnacked: 2000 });
    for (let host = 1; host <= 30; host++) for (let i = 0; i < 100; i++) send(analyzer, host, 1000 + i * 100);
    expect(analyzer.unackedSegments).toBeLessThanOrEqual(2000);
    expect(analyzer.size).toBe(20);
    // The first conversation was forgotten: it comes back as a new stream; the last one stayed.
    expect(send(analyzer, 30, 20000).stream).toBe(29);
    expect(send(analyzer, 1, 20000).stream).toBe(30);
  });
});
