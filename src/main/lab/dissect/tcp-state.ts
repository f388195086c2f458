/**
 * The one place SockLab computes what Wireshark shows as relative TCP numbers: sequence and
 * acknowledgment numbers relative to each direction's base, and the window scaled by the factor
 * both SYNs agreed. The packet list's Info column (`summarize` with a state) and the ladder's
 * TCP analysis (flows/tcp-state.ts) both use it, so they cannot disagree.
 *
 * Wireshark's rules, checked against tshark (test/tshark/tcp-relative.test.ts):
 * - a direction's base is its SYN's sequence number, so the SYN is 0 and the first data byte 1;
 * - a capture that starts mid-stream has no SYN: the first sequence number seen is taken as 1
 *   (base = seq - 1), and an ACK for a direction not seen yet sets that direction's base the
 *   same way (base = ack - 1), so the first segment shows `Seq=1 Ack=1`;
 * - the window is scaled only when both SYNs were seen and both offered window scaling; a SYN's
 *   own window is never scaled; otherwise the field is shown as it is.
 *
 * Bounded: at most `maxDirections` directions are remembered, the least recently used forgotten
 * first (a forgotten direction starts again as if mid-stream).
 */
interface Direction {
  base: number;
  /** Window scale shift this side's SYN offered: -1 when no SYN was seen, -2 SYN without WS. */
  shift: number;
}

export interface TcpRelative {
  seq: number;
  /** Relative to the other direction's base (which an ACK sets when it is not known yet). */
  ack: number;
  /** The window in bytes when the scale is known, else the field as sent. */
  window: number;
}

export interface TcpSequenceStateOptions {
  /** Directions remembered at most (two per connection). Default 200,000. */
  maxDirections?: number;
}

const NO_SYN = -1;
const SYN_WITHOUT_WS = -2;

export class TcpSequenceState {
  /** Map order is recency: the first key is the least recently used. */
  private readonly dirs = new Map<string, Direction>();
  private readonly maxDirections: number;

  constructor(options: TcpSequenceStateOptions = {}) {
    this.maxDirections = Math.max(2, options.maxDirections ?? 200_000);
  }

  /** Forgets everything (a new capture). */
  clear(): void {
    this.dirs.clear();
  }

  /** How many directions are remembered. */
  get size(): number {
    return this.dirs.size;
  }

  /**
   * Records a segment and returns the numbers to show. `key`/`reverseKey` name the two
   * directions (e.g. `src:port>dst:port`); `wsShift` is this segment's window scale option.
   */
  observe(key: string, reverseKey: string, seq: number, ack: number, flags: number, window: number, wsShift: number | null): TcpRelative {
    const syn = (flags & 0x02) !== 0;
    const hasAck = (flags & 0x10) !== 0;
    let dir = this.touch(key);
    if (!dir || syn) {
      dir = { base: syn ? seq : (seq - 1) >>> 0, shift: syn ? (wsShift === null ? SYN_WITHOUT_WS : Math.min(wsShift, 14)) : NO_SYN };
      this.remember(key, dir);
    }
    let rev = this.touch(reverseKey);
    if (!rev && hasAck) {
      rev = { base: (ack - 1) >>> 0, shift: NO_SYN };
      this.remember(reverseKey, rev);
    }
    const scaled = !syn && dir.shift >= 0 && rev !== undefined && rev.shift >= 0;
    return {
      seq: (seq - dir.base) >>> 0,
      ack: rev ? (ack - rev.base) >>> 0 : ack,
      window: scaled ? window * 2 ** dir.shift : window,
    };
  }

  /** The direction, marked as the most recently used. */
  private touch(key: string): Direction | undefined {
    const dir = this.dirs.get(key);
    if (dir) {
      this.dirs.delete(key);
      this.dirs.set(key, dir);
    }
    return dir;
  }

  private remember(key: string, dir: Direction): void {
    this.dirs.delete(key);
    this.dirs.set(key, dir);
    while (this.dirs.size > this.maxDirections) {
      const oldest = this.dirs.keys().next().value;
      if (oldest === undefined) break;
      this.dirs.delete(oldest);
    }
  }
}

/** The key of one direction of a TCP conversation, as the trackers use it. */
export function tcpDirectionKey(src: string, srcPort: number, dst: string, dstPort: number): string {
  return `${src}|${srcPort}>${dst}|${dstPort}`;
}
