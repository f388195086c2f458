/**
 * Capture files in and out of the store. Opening reads a pcap or pcapng file in pieces of any
 * size (capture.open, capture.openChunk, capture.openEnd; capture.import is the same for a file
 * held whole); saving writes the packets held, all or those a display filter shows, as pcapng in
 * pieces (capture.save, capture.saveChunk; capture.export answers the whole file at once). So a
 * file of any size travels, and the lab holds at most a piece of it beside the store.
 *
 * One opening and one save at a time; either is dropped after IDLE_MS without a request (a page
 * closed half-way), so nothing is held for ever. Long reads let the event loop go every
 * SLICE_MS, so a large file never stalls the lab's other pages and calls.
 */
import { CaptureFileReader, PcapngWriter, type PcapngOptions } from '../pcap';
import { captureFailure } from './errors';
import type { CaptureSession } from './session';
import { packetTsNs, type PacketStore, type StoredPacket } from './store';
import type { CaptureTies } from './ties';
import type { PacketViews } from './views';

/** Longest stretch reading works before letting other requests and events run. */
const SLICE_MS = 20;
/** A transfer with no request for this long is dropped. */
const IDLE_MS = 60_000;
/** About the most one saveChunk answers. */
const SAVE_CHUNK_BYTES = 4 * 1024 * 1024;

interface Opening {
  id: number;
  name: string;
  reader: CaptureFileReader;
  /** Bytes of the file received so far: where the next piece must start. */
  offset: number;
  packets: number;
  linkType: number | null;
  /** A piece is being read (pieces come one after another). */
  busy: boolean;
  idle: NodeJS.Timeout;
}

/** The packets a save writes, its writer, and each packet's comment (the call that caused it). */
interface Chosen {
  frames: number[];
  writer: PcapngWriter;
  commentOf: (no: number) => string | undefined;
}

interface Saving extends Chosen {
  id: number;
  next: number;
  idle: NodeJS.Timeout;
}

const ok = <T>(value: T) => ({ ok: true as const, value });
const filterError = (answer: { error: string; position: number }) =>
  captureFailure('EINVAL', `Display filter error at character ${answer.position + 1}: ${answer.error}`);
const yieldToOthers = () => new Promise((resolve) => setImmediate(resolve));

export function createCaptureFiles(store: PacketStore, session: CaptureSession, views: PacketViews, ties: CaptureTies) {
  let nextId = 1;
  let opening: Opening | null = null;
  let saving: Saving | null = null;

  const idleTimer = (drop: () => void) => {
    const timer = setTimeout(drop, IDLE_MS);
    timer.unref();
    return timer;
  };

  function beginOpen(name: string) {
    if (session.running) return captureFailure('EINVAL', 'Stop the capture before opening a file: the file replaces the packets held.');
    if (opening) return captureFailure('EAGAIN', 'Another capture file is being opened: try again when it is done.');
    const id = nextId++;
    opening = {
      id,
      name,
      reader: new CaptureFileReader(),
      offset: 0,
      packets: 0,
      linkType: null,
      busy: false,
      idle: idleTimer(() => dropOpening(id)),
    };
    return ok({ openId: id });
  }

  function dropOpening(id: number): void {
    if (opening?.id !== id) return;
    const dropped = opening;
    opening = null;
    clearTimeout(dropped.idle);
    if (dropped.packets > 0) finishStore(dropped);
  }

  function current(id: number) {
    if (opening?.id === id) return opening;
    return captureFailure(
      'EINVAL',
      `No capture file is being opened as number ${id} (it ended, or was dropped after a minute without a piece).`,
    );
  }

  /** Reads one piece; the file's first packet replaces what the store held. */
  async function readPiece(id: number, offset: number, data: Uint8Array) {
    const op = current(id);
    if ('ok' in op) return op;
    if (op.busy) return captureFailure('EAGAIN', 'Send the pieces of a file one after another: the last one is still being read.');
    if (offset !== op.offset) return captureFailure('EINVAL', `The next piece of "${op.name}" starts at byte ${op.offset}, not ${offset}.`);
    op.busy = true;
    op.idle.refresh();
    try {
      let sliceStart = performance.now();
      for (const p of op.reader.packetsOf(data)) {
        if (op.linkType === null) {
          session.resetStore();
          op.linkType = p.linkType;
        }
        const no = store.append(0, p.tsUs, p.origLen, p.linkType, p.data, Number(p.tsNs % 1000n));
        if (p.comment !== undefined) store.setComment(no, p.comment);
        session.packets += 1;
        session.bytes += p.origLen;
        op.packets += 1;
        if (op.packets % 1024 === 0 && performance.now() - sliceStart > SLICE_MS) {
          // Rows asked for meanwhile show the packets read so far with their TCP analysis.
          views.arrived();
          await yieldToOthers();
          // Cancelled or dropped meanwhile: what was read stays, the rest of this piece is not read.
          if (opening !== op) break;
          sliceStart = performance.now();
        }
      }
      op.offset += data.length;
      views.arrived();
      return ok({ packets: op.packets, bytes: op.offset });
    } finally {
      op.busy = false;
    }
  }

  function finishStore(op: Opening): void {
    ties.tieImported(store);
    Object.assign(session, {
      iface: null,
      filter: '',
      snaplen: 0,
      source: op.name,
      linkType: op.linkType,
      error: null,
      permissionHint: null,
    });
    session.emitStatus();
  }

  function endOpen(id: number, cancel: boolean) {
    const op = current(id);
    if ('ok' in op) return op;
    opening = null;
    clearTimeout(op.idle);
    if (!cancel) op.reader.end();
    const problems = op.reader.errors.map((e) => `${e.message} (at byte ${e.offset})`);
    if (op.linkType === null) {
      if (cancel) return ok({ packets: 0, problems, cancelled: true });
      return captureFailure('EINVAL', `"${op.name}" could not be read: ${problems.join('; ') || 'no packets'}`);
    }
    finishStore(op);
    return ok({ packets: op.packets, problems, cancelled: cancel });
  }

  /** The packets `filter` (and `socketId`) show, all when neither is given, as a pcapng writer. */
  function chooseForSave(filter: string, socketId: number | null = null) {
    const selected = views.select(filter, socketId);
    if (!selected.ok) return filterError(selected);
    let linkType: number | null = null;
    for (const no of selected.frames) {
      const type: number | null = store.get(no)?.linkType ?? linkType;
      if (linkType !== null && type !== linkType) {
        return captureFailure(
          'EINVAL',
          `These packets come from links of different types (${linkType}, ${type}); save one kind at a time with a display filter.`,
        );
      }
      linkType = type;
    }
    const options: PcapngOptions = {
      ifaceName: session.source ?? 'socklab',
      linkType: linkType ?? session.linkType ?? 1,
      snapLen: session.snaplen,
      comment: sectionComment(filter, selected.frames.length),
      // What was lost while capturing, as dumpcap records it (capinfos and Wireshark show it).
      statistics:
        session.iface === null
          ? undefined
          : { kernelDropped: session.kernel.dropped, ifDropped: session.kernel.ifDropped, delivered: session.packets },
    };
    return ok({ frames: selected.frames, writer: new PcapngWriter(options), commentOf: ties.commenter() });
  }

  /** The file's own comment: where the packets came from and which of them it holds. */
  function sectionComment(filter: string, count: number): string {
    const from =
      session.iface === null
        ? `opened from ${session.source ?? 'a file'}`
        : `captured on ${session.iface}${session.filter ? ` with capture filter "${session.filter}"` : ''}`;
    const which = filter ? `${count} packets shown by display filter "${filter}"` : `${count} packets`;
    return `SockLab lab session, saved ${new Date().toISOString()}: ${which}, ${from}. Packet comments name the socket call that caused each packet.`;
  }

  /** Writes packets from `frames[from]` on until the writer holds `bytes`; the index reached. */
  function writeFrames(chosen: Chosen, from: number, bytes: number): number {
    const { writer, frames, commentOf } = chosen;
    let at = from;
    for (; at < frames.length && writer.buffered < bytes; at++) {
      // A packet evicted meanwhile (a capture still running) is left out.
      const p: StoredPacket | null = store.get(frames[at]!);
      if (p) writer.packet({ data: p.data, tsNs: packetTsNs(p), origLen: p.len, comment: commentOf(p.no) ?? p.comment });
    }
    return at;
  }

  function beginSave(filter: string, socketId: number | null) {
    const chosen = chooseForSave(filter, socketId);
    if (!chosen.ok) return chosen;
    if (saving) clearTimeout(saving.idle);
    const id = nextId++;
    saving = {
      ...chosen.value,
      id,
      next: 0,
      idle: idleTimer(() => saving?.id === id && (saving = null)),
    };
    return ok({ saveId: id, packets: chosen.value.frames.length });
  }

  function savePiece(id: number) {
    const save = saving;
    if (save?.id !== id)
      return captureFailure('EINVAL', `No save is going on as number ${id} (it ended, or was dropped after a minute without a request).`);
    save.idle.refresh();
    save.next = writeFrames(save, save.next, SAVE_CHUNK_BYTES);
    if (save.next < save.frames.length) return ok({ data: save.writer.take(), done: false });
    clearTimeout(save.idle);
    saving = null;
    return ok({ data: save.writer.finish(), done: true });
  }

  return {
    /** A file is being opened (live capture waits for it). */
    get opening(): boolean {
      return opening !== null;
    },
    beginOpen,
    readPiece,
    endOpen,
    /** A file held whole: the same opening, in one piece. */
    async importWhole(name: string, data: Uint8Array) {
      const begun = beginOpen(name);
      if (!begun.ok) return begun;
      const read = await readPiece(begun.value.openId, 0, data);
      const end = endOpen(begun.value.openId, false);
      if (!read.ok) return read;
      return end.ok ? ok({ packets: end.value.packets, problems: end.value.problems }) : end;
    },
    beginSave,
    savePiece,
    exportWhole(filter: string) {
      const chosen = chooseForSave(filter);
      if (!chosen.ok) return chosen;
      writeFrames(chosen.value, 0, Infinity);
      return ok({ pcapng: chosen.value.writer.finish() });
    },
    close(): void {
      if (opening) clearTimeout(opening.idle);
      if (saving) clearTimeout(saving.idle);
      opening = saving = null;
    },
  };
}
