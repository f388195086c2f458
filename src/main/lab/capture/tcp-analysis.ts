/**
 * The capture's TCP analysis (dissect/tcp-analysis.ts): each packet is analysed once, as it
 * arrives in the store, in capture order, and its record kept beside the ring store for every
 * later decode (rows, filters, the field tree, the Expert Information list, which also lists
 * malformed frames). Bounded like the store: a ring of typed arrays keyed by frame number (73
 * bytes a slot, no objects for the common frame with one TCP header); frames the store evicts
 * drop their records.
 */
import { analyzeFrame, TcpAnalyzer, type TcpAnalysis } from '../dissect';
import { frameMeta, type PacketStore } from './store';

const INITIAL_SLOTS = 4096;
const NO_TCP = -1;
/** Bits of `bitsOf` beside the analysis flags (which use the low 15 bits). */
const ANALYSED = 1 << 16;
const HAS_NXTSEQ = 1 << 17;
/** The frame is malformed (any frame, TCP or not: for the Expert Information list). */
const MALFORMED = 1 << 18;

/** Typed-array columns of one record a frame. */
class RecordRing {
  slots = 0;
  head = 0;
  count = 0;
  firstNo = 1;
  stream = new Int32Array(0);
  seq = new Uint32Array(0);
  ack = new Uint32Array(0);
  nxtseq = new Uint32Array(0);
  window = new Uint32Array(0);
  scale = new Int8Array(0);
  bits = new Uint32Array(0);
  acksFrame = new Uint32Array(0);
  ackRtt = new BigInt64Array(0);
  initialRtt = new BigInt64Array(0);
  inFlight = new Uint32Array(0);
  pushed = new Uint32Array(0);
  dupAckNum = new Uint32Array(0);
  dupAckFrame = new Uint32Array(0);
  rtoFrame = new Uint32Array(0);
  rto = new BigInt64Array(0);
  /** Frames with more than one TCP header (a quoted one in an ICMP error, a tunnel). */
  rare = new Map<number, TcpAnalysis[]>();

  clear(): void {
    Object.assign(this, new RecordRing());
  }

  dropBefore(no: number): void {
    while (this.count > 0 && this.firstNo < no) {
      this.rare.delete(this.firstNo);
      this.head = (this.head + 1) % this.slots;
      this.count -= 1;
      this.firstNo += 1;
    }
    if (this.count === 0 && this.firstNo < no) this.firstNo = no;
  }

  /** Frame `no`'s records; frames come in order. */
  push(no: number, records: readonly TcpAnalysis[], malformed: boolean): void {
    if (this.count === 0) this.firstNo = no;
    while (this.firstNo + this.count < no) this.write(this.firstNo + this.count, [], false);
    if (no < this.firstNo + this.count) return;
    this.write(no, records, malformed);
  }

  /** Whether frame `no` was malformed. */
  malformed(no: number): boolean {
    const index = no - this.firstNo;
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return false;
    return (this.bits[(this.head + index) % this.slots] & MALFORMED) !== 0;
  }

  get(no: number): TcpAnalysis[] | undefined {
    const index = no - this.firstNo;
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    const rare = this.rare.get(no);
    if (rare) return rare;
    const slot = (this.head + index) % this.slots;
    if (this.stream[slot] === NO_TCP) return [];
    const bits = this.bits[slot];
    return [
      {
        stream: this.stream[slot],
        seq: this.seq[slot],
        ack: this.ack[slot],
        nxtseq: bits & HAS_NXTSEQ ? this.nxtseq[slot] : -1,
        window: this.window[slot],
        windowScale: this.scale[slot],
        analysed: (bits & ANALYSED) !== 0,
        flags: bits & 0xffff,
        acksFrame: this.acksFrame[slot],
        ackRttNs: this.ackRtt[slot],
        bytesInFlight: this.inFlight[slot],
        pushBytesSent: this.pushed[slot],
        initialRttNs: this.initialRtt[slot],
        dupAckNum: this.dupAckNum[slot],
        dupAckFrame: this.dupAckFrame[slot],
        rtoNs: this.rto[slot],
        rtoFrame: this.rtoFrame[slot],
      },
    ];
  }

  private write(no: number, records: readonly TcpAnalysis[], malformed: boolean): void {
    if (this.count === this.slots) this.grow();
    const slot = (this.head + this.count) % this.slots;
    this.count += 1;
    const a = records[0];
    this.stream[slot] = a ? a.stream : NO_TCP;
    this.bits[slot] = malformed ? MALFORMED : 0;
    if (!a) return;
    if (records.length > 1) this.rare.set(no, [...records]);
    this.seq[slot] = a.seq;
    this.ack[slot] = a.ack;
    this.nxtseq[slot] = Math.max(0, a.nxtseq);
    this.window[slot] = a.window;
    this.scale[slot] = a.windowScale;
    this.bits[slot] |= a.flags | (a.analysed ? ANALYSED : 0) | (a.nxtseq >= 0 ? HAS_NXTSEQ : 0);
    this.acksFrame[slot] = a.acksFrame;
    this.ackRtt[slot] = a.ackRttNs;
    this.initialRtt[slot] = a.initialRttNs;
    this.inFlight[slot] = a.bytesInFlight;
    this.pushed[slot] = a.pushBytesSent;
    this.dupAckNum[slot] = a.dupAckNum;
    this.dupAckFrame[slot] = a.dupAckFrame;
    this.rtoFrame[slot] = a.rtoFrame;
    this.rto[slot] = a.rtoNs;
  }

  /** Doubles the ring, oldest entry to slot 0. */
  private grow(): void {
    const slots = Math.max(INITIAL_SLOTS, this.slots * 2);
    const head = this.head;
    const count = this.count;
    const old = this.slots;
    const order = <T extends { subarray(a: number, b: number): T; set(from: T, at?: number): void }>(from: T, to: T): T => {
      const tail = Math.min(count, old - head);
      to.set(from.subarray(head, head + tail));
      to.set(from.subarray(0, count - tail), tail);
      return to;
    };
    this.stream = order(this.stream, new Int32Array(slots));
    this.seq = order(this.seq, new Uint32Array(slots));
    this.ack = order(this.ack, new Uint32Array(slots));
    this.nxtseq = order(this.nxtseq, new Uint32Array(slots));
    this.window = order(this.window, new Uint32Array(slots));
    this.scale = order(this.scale, new Int8Array(slots));
    this.bits = order(this.bits, new Uint32Array(slots));
    this.acksFrame = order(this.acksFrame, new Uint32Array(slots));
    this.ackRtt = order(this.ackRtt, new BigInt64Array(slots));
    this.initialRtt = order(this.initialRtt, new BigInt64Array(slots));
    this.inFlight = order(this.inFlight, new Uint32Array(slots));
    this.pushed = order(this.pushed, new Uint32Array(slots));
    this.dupAckNum = order(this.dupAckNum, new Uint32Array(slots));
    this.dupAckFrame = order(this.dupAckFrame, new Uint32Array(slots));
    this.rtoFrame = order(this.rtoFrame, new Uint32Array(slots));
    this.rto = order(this.rto, new BigInt64Array(slots));
    this.slots = slots;
    this.head = 0;
  }
}

/** One capture's TCP analysis: the analyzer's state and each held frame's records. */
export class CaptureTcpAnalysis {
  private analyzer = new TcpAnalyzer();
  private ring = new RecordRing();
  /** The next frame number to analyse. */
  private next = 1;

  /** Forgets the analysis (the store was cleared, a file opened, a capture started). */
  clear(): void {
    this.analyzer.clear();
    this.ring.clear();
    this.next = 1;
  }

  /** Analyses the frames appended since the last call, in capture order. */
  arrived(store: PacketStore): void {
    this.ring.dropBefore(store.firstNo);
    for (let no = Math.max(this.next, store.firstNo); no < store.nextNo; no++) {
      const packet = store.get(no);
      if (packet === null) continue;
      const { tcp, malformed } = analyzeFrame(packet.data, packet.linkType, frameMeta(packet), this.analyzer);
      this.ring.push(no, tcp, malformed);
    }
    this.next = store.nextNo;
  }

  /** Frame `no`'s records (one per TCP header), or undefined when it was not analysed. */
  recordsOf(no: number): readonly TcpAnalysis[] | undefined {
    return this.ring.get(no);
  }

  /** Whether held frame `no` was malformed when it was analysed. */
  malformed(no: number): boolean {
    return this.ring.malformed(no);
  }
}
