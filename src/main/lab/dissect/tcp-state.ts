/**
 * Optional per-capture TCP state, so the Info column can show what Wireshark shows: sequence
 * and acknowledgment numbers relative to each direction's first one, and the window scaled by
 * the factor both SYNs agreed. The dissectors themselves stay stateless; the capture store owns
 * one of these and passes it to `summarize` for packets in arrival order.
 */
interface Direction {
  base: number;
  /** Window scale shift this side announced in its SYN; -1 when no SYN was seen, -2 without WS. */
  shift: number;
}

export class TcpSequenceState {
  private readonly dirs = new Map<string, Direction>();

  /** Forgets everything (a new capture). */
  clear(): void {
    this.dirs.clear();
  }

  /**
   * Records a segment and returns the numbers to show. `key`/`reverseKey` name the two
   * directions; `wsShift` is the window scale option of this segment, if any.
   */
  observe(key: string, reverseKey: string, seq: number, ack: number, flags: number, window: number, wsShift: number | null): { seq: number; ack: number; window: number } {
    const syn = (flags & 0x02) !== 0;
    let dir = this.dirs.get(key);
    if (!dir || syn) {
      dir = { base: seq, shift: syn ? (wsShift ?? -2) : -1 };
      // Bounded: a long capture with many connections should not grow without end.
      if (this.dirs.size > 100_000) this.dirs.clear();
      this.dirs.set(key, dir);
    }
    const rev = this.dirs.get(reverseKey);
    const scaled = !syn && dir.shift >= 0 && rev !== undefined && rev.shift >= 0 ? window * 2 ** dir.shift : window;
    return {
      seq: (seq - dir.base) >>> 0,
      ack: rev ? (ack - rev.base) >>> 0 : ack,
      window: scaled,
    };
  }
}
