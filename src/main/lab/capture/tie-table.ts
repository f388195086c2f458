/**
 * Each held packet's tie (lab sockets, causing call, cause), kept beside the ring store and
 * bounded like it: a ring of typed arrays keyed by frame number, so a million tied packets cost
 * about 21 bytes each and no objects. Frames the store evicts drop their ties.
 */
import type { PacketRow } from '@shared/capture';

/** The tie fields of a packet-list row. */
export type RowTie = Pick<PacketRow, 'socketIds' | 'fds' | 'callId' | 'cause'>;

/** Socket ids start at 1: 0 marks an empty column. */
const NO_SOCKET = 0;
const CAUSES = [null, 'call', 'kernel'] as const;
const INITIAL_SLOTS = 4096;

const untied = (): RowTie => ({ socketIds: [], fds: [], callId: null, cause: null });

export class TieTable {
  private slots = 0;
  private head = 0;
  private count = 0;
  /** Frame number of the entry at `head`. */
  private firstNo = 1;
  /**
   * Most packets belong to one or two sockets (sender, receiver): two columns of identities and
   * two of the descriptor each had, the rest aside.
   */
  private idA = new Int32Array(0);
  private idB = new Int32Array(0);
  private fdA = new Int32Array(0);
  private fdB = new Int32Array(0);
  /** Call ids start at 1, so 0 means "no call". */
  private callOf = new Uint32Array(0);
  private causeOf = new Uint8Array(0);
  private moreSockets = new Map<number, Pick<RowTie, 'socketIds' | 'fds'>>();

  /** Forgets every tie; the next frame may have any number. */
  clear(): void {
    this.slots = this.head = this.count = 0;
    this.firstNo = 1;
    this.idA = new Int32Array(0);
    this.idB = new Int32Array(0);
    this.fdA = new Int32Array(0);
    this.fdB = new Int32Array(0);
    this.callOf = new Uint32Array(0);
    this.causeOf = new Uint8Array(0);
    this.moreSockets.clear();
  }

  /** Drops the ties of frames older than `no` (the store evicted them). */
  dropBefore(no: number): void {
    while (this.count > 0 && this.firstNo < no) {
      this.moreSockets.delete(this.firstNo);
      this.head = (this.head + 1) % this.slots;
      this.count -= 1;
      this.firstNo += 1;
    }
    if (this.count === 0 && this.firstNo < no) this.firstNo = no;
  }

  /** Keeps frame `no`'s tie; frames come in order (a skipped frame stays untied). */
  set(no: number, tie: RowTie): void {
    if (this.count === 0) this.firstNo = no;
    while (this.firstNo + this.count < no) this.write(this.firstNo + this.count, untied());
    if (no < this.firstNo + this.count) return; // already tied: ties are computed once, in order
    this.write(no, tie);
  }

  /** Frame `no`'s tie (untied when unknown or evicted). */
  get(no: number): RowTie {
    const index = no - this.firstNo;
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return untied();
    const slot = (this.head + index) % this.slots;
    const extra = this.moreSockets.get(no);
    const columns = (
      [
        [this.idA[slot], this.fdA[slot]],
        [this.idB[slot], this.fdB[slot]],
      ] as const
    ).filter(([id]) => id !== NO_SOCKET);
    const sockets = extra
      ? { socketIds: [...extra.socketIds], fds: [...extra.fds] }
      : { socketIds: columns.map(([id]) => id), fds: columns.map(([, fd]) => fd) };
    const callId = this.callOf[slot];
    return { ...sockets, callId: callId === 0 ? null : callId, cause: CAUSES[this.causeOf[slot]] };
  }

  private write(no: number, tie: RowTie): void {
    if (this.count === this.slots) this.grow();
    const slot = (this.head + this.count) % this.slots;
    this.idA[slot] = tie.socketIds[0] ?? NO_SOCKET;
    this.idB[slot] = tie.socketIds[1] ?? NO_SOCKET;
    this.fdA[slot] = tie.fds[0] ?? 0;
    this.fdB[slot] = tie.fds[1] ?? 0;
    if (tie.socketIds.length > 2) this.moreSockets.set(no, { socketIds: [...tie.socketIds], fds: [...tie.fds] });
    this.callOf[slot] = tie.callId ?? 0;
    this.causeOf[slot] = CAUSES.indexOf(tie.cause);
    this.count += 1;
  }

  /** Doubles the ring, oldest entry to slot 0. */
  private grow(): void {
    const slots = Math.max(INITIAL_SLOTS, this.slots * 2);
    const order = <T extends Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(from: T, to: T): T => {
      const tail = Math.min(this.count, this.slots - this.head);
      to.set(from.subarray(this.head, this.head + tail));
      to.set(from.subarray(0, this.count - tail), tail);
      return to;
    };
    this.idA = order(this.idA, new Int32Array(slots));
    this.idB = order(this.idB, new Int32Array(slots));
    this.fdA = order(this.fdA, new Int32Array(slots));
    this.fdB = order(this.fdB, new Int32Array(slots));
    this.callOf = order(this.callOf, new Uint32Array(slots));
    this.causeOf = order(this.causeOf, new Uint8Array(slots));
    this.slots = slots;
    this.head = 0;
  }
}
