import { beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord, TranscriptEntry } from '@shared/socket';
import { useLabStore } from '@renderer/stores/lab';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useCallsStore } from '@renderer/stores/calls';
import { locateRow, useTranscriptsStore } from '@renderer/stores/transcripts';
import { FakeLab, settle, setupLab, socketInfo } from './fakeLab';

function record(patch: Partial<CallRecord>): CallRecord {
  return {
    id: 1,
    fd: 3,
    socketId: 3,
    newSocketId: null,
    call: 'accept',
    args: {},
    startMonoUs: 0,
    startWallUs: Date.now() * 1000,
    endMonoUs: null,
    durationUs: null,
    ret: null,
    errno: null,
    message: null,
    ...patch,
  };
}

function entry(patch: Partial<TranscriptEntry> & { text?: string }): TranscriptEntry {
  const { text = 'hi', ...rest } = patch;
  const bytes = new TextEncoder().encode(text);
  return { socketId: 3, fd: 3, direction: 'out', data: bytes, length: bytes.length, addr: null, callId: 1, monoUs: 1, ...rest };
}

describe('stores with a fake lab', () => {
  let fake: FakeLab;
  beforeEach(() => {
    fake = setupLab().fake;
  });

  it('loads sockets, calls and lab info at start', async () => {
    fake.respond('lab.sockets', () => ({ ok: true, value: [socketInfo({ fd: 5 }), socketInfo({ fd: 4 })] }));
    fake.respond('lab.calls', () => ({ ok: true, value: [record({ id: 7, ret: 0 })] }));
    const lab = useLabStore();
    await lab.start();
    expect(lab.status).toBe('ready');
    expect(lab.info?.mode).toBe('web');
    expect(useSocketsStore().sockets.map((s) => s.fd)).toEqual([4, 5]);
    expect(useSocketsStore().selectedFd).toBe(4);
    expect(useCallsStore().records.map((r) => r.id)).toEqual([7]);
  });

  it('applies events that arrive during the initial load after it, so newer state wins', async () => {
    fake.respond('lab.sockets', () => {
      // The lab changed fd 3 after taking this snapshot, and the event overtook the answer.
      fake.emit('socket.changed', socketInfo({ fd: 3, state: 'listening' }));
      fake.emit('call.logged', record({ id: 2, call: 'listen', ret: 0 }));
      return { ok: true, value: [socketInfo({ fd: 3, state: 'bound' })] };
    });
    fake.respond('lab.calls', () => ({ ok: true, value: [record({ id: 1, call: 'bind', ret: 0 })] }));
    await useLabStore().start();
    expect(useSocketsStore().sockets.map((s) => s.state)).toEqual(['listening']);
    expect(useCallsStore().records.map((r) => r.id)).toEqual([1, 2]);
  });

  it('reports a failed load as an error status with the errno', async () => {
    fake.respond('lab.sockets', () => ({ ok: false, errno: 'EPERM', code: 1, message: 'nope' }));
    const lab = useLabStore();
    await lab.start();
    expect(lab.status).toBe('error');
    expect(lab.error).toBe('EPERM: nope');
  });

  it('keeps the socket table current from socket.changed and socket.removed', async () => {
    await useLabStore().start();
    const sockets = useSocketsStore();
    fake.emit('socket.changed', socketInfo({ fd: 6 }));
    fake.emit('socket.changed', socketInfo({ fd: 3 }));
    fake.emit('socket.changed', socketInfo({ fd: 6, state: 'listening' }));
    expect(sockets.sockets.map((s) => [s.fd, s.state])).toEqual([
      [3, 'created'],
      [6, 'listening'],
    ]);
    sockets.select(6);
    fake.emit('socket.removed', { fd: 6, socketId: 6 });
    expect(sockets.sockets.map((s) => s.fd)).toEqual([3]);
    // The closed socket stays (greyed) and selected, so close()'s result shows, until cleared.
    expect(sockets.closed.map((s) => [s.fd, s.state])).toEqual([[6, 'closed']]);
    expect(sockets.selectedFd).toBe(6);
    useLabStore().clearClosed();
    expect(sockets.closed).toEqual([]);
    expect(sockets.selectedFd).toBe(3);
  });

  it('updates a blocked call record in place when it finishes', async () => {
    await useLabStore().start();
    const calls = useCallsStore();
    fake.emit('call.logged', record({ id: 1 }));
    fake.emit('call.logged', record({ id: 2, call: 'bind' }));
    fake.emit('call.logged', record({ id: 1, ret: 4, durationUs: 1500 }));
    expect(calls.records.map((r) => [r.id, r.ret])).toEqual([
      [1, 4],
      [2, null],
    ]);
  });

  it('appends transcript entries and indexes their rows', async () => {
    await useLabStore().start();
    const transcripts = useTranscriptsStore();
    fake.emit('transcript.appended', entry({ text: 'line one\nline two\n' }));
    fake.emit('transcript.appended', entry({ direction: 'in', text: 'x'.repeat(40) }));
    const t = transcripts.get(3)!;
    expect(t.textRows).toBe(3);
    expect(t.hexRows).toBe(2 + 3);
    expect(t.bytesOut).toBe(18);
    expect(t.bytesIn).toBe(40);
    expect(locateRow(t, 'hex', 3)).toMatchObject({ chunkIndex: 1, row: 1 });
    expect(locateRow(t, 'text', 1)).toMatchObject({ chunkIndex: 0, row: 1 });
  });

  it('indexes a 10 MB transcript without formatting it', async () => {
    await useLabStore().start();
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    const data = chunk;
    for (let i = 0; i < 160; i++) {
      fake.emit('transcript.appended', {
        socketId: 3,
        fd: 3,
        direction: i % 2 ? 'in' : 'out',
        data,
        length: chunk.length,
        addr: null,
        callId: i,
        monoUs: i,
      });
    }
    const t = useTranscriptsStore().get(3)!;
    expect(t.hexRows).toBe((160 * 64 * 1024) / 16);
    expect(locateRow(t, 'hex', t.hexRows - 1)).toMatchObject({ chunkIndex: 159, row: 4095 });
  });

  it('merges a loaded transcript with live entries that arrived meanwhile', async () => {
    fake.respond('lab.transcript', () => ({ ok: true, value: [entry({ text: 'old', monoUs: 5 })] }));
    await useLabStore().start();
    const transcripts = useTranscriptsStore();
    fake.emit('transcript.appended', entry({ text: 'new', monoUs: 9 }));
    await transcripts.load(3);
    const t = transcripts.get(3)!;
    expect(t.chunks.map((c) => new TextDecoder().decode(c.bytes))).toEqual(['old', 'new']);
    expect(t.loaded).toBe(true);
  });

  it('unsubscribes every event on stop', async () => {
    const lab = useLabStore();
    await lab.start();
    expect(fake.listenerCount('socket.changed')).toBe(1);
    lab.stop();
    expect(fake.listenerCount('socket.changed')).toBe(0);
    expect(fake.listenerCount('transcript.appended')).toBe(0);
  });

  it('creates a socket with socket() and selects the new socket', async () => {
    const sockets = useSocketsStore();
    const result = await sockets.create('AF_INET6', 'SOCK_DGRAM', 'IPPROTO_UDP');
    expect(fake.inputsOf('socket.socket')).toEqual([{ domain: 'AF_INET6', type: 'SOCK_DGRAM', protocol: 'IPPROTO_UDP' }]);
    expect(result.ok && sockets.selectedId).toBe(1);
    sockets.upsert(socketInfo({ socketId: 1, fd: 3 }));
    expect(sockets.selectedFd).toBe(3);
    await settle();
  });

  describe('a descriptor number handed out again', () => {
    it('keeps sockets, selection, outcomes and transcripts apart by identity', async () => {
      await useLabStore().start();
      const sockets = useSocketsStore();
      const calls = useCallsStore();
      const transcripts = useTranscriptsStore();
      fake.emit('socket.changed', socketInfo({ fd: 3, socketId: 1, state: 'listening' }));
      fake.emit('socket.changed', socketInfo({ fd: 4, socketId: 2, state: 'connected' }));
      sockets.select(2);
      await calls.perform('recv', { route: 'socket.recv', input: { fd: 4, maxBytes: 10, flags: [] } }, 2);
      fake.emit('transcript.appended', entry({ socketId: 2, fd: 4, text: 'first' }));
      // close(4): the lab says so; then accept() → 4 again, socket 3.
      fake.emit('socket.removed', { fd: 4, socketId: 2 });
      // Closed, it keeps the selection, its outcome and its transcript.
      expect(sockets.selectedId).toBe(2);
      fake.emit('socket.changed', socketInfo({ fd: 4, socketId: 3, state: 'connected' }));
      fake.emit('transcript.appended', entry({ socketId: 3, fd: 4, text: 'second' }));
      expect(sockets.sockets.map((s) => [s.fd, s.socketId])).toEqual([
        [3, 1],
        [4, 3],
      ]);
      expect(sockets.closed.map((s) => [s.fd, s.socketId])).toEqual([[4, 2]]);
      expect(calls.outcomes.has(2)).toBe(true);
      expect(calls.outcomes.has(3)).toBe(false);
      expect(transcripts.get(2)!.chunks.map((c) => new TextDecoder().decode(c.bytes))).toEqual(['first']);
      expect(transcripts.get(3)!.chunks.map((c) => new TextDecoder().decode(c.bytes))).toEqual(['second']);
      // "Clear closed" forgets socket 2 only.
      useLabStore().clearClosed();
      expect(sockets.selectedId).toBe(1);
      expect(calls.outcomes.has(2)).toBe(false);
      expect(transcripts.get(2)).toBeNull();
      expect(transcripts.get(3)).not.toBeNull();
    });

    it('lets a new socket’s snapshot replace the old one on its descriptor before the removal arrives, without taking the selection', async () => {
      await useLabStore().start();
      const sockets = useSocketsStore();
      fake.emit('socket.changed', socketInfo({ fd: 4, socketId: 2 }));
      sockets.select(2);
      fake.emit('socket.changed', socketInfo({ fd: 4, socketId: 5, type: 'SOCK_DGRAM' }));
      expect(sockets.sockets.map((s) => s.socketId)).toEqual([5]);
      expect(sockets.selectedId).toBeNull();
      fake.emit('socket.removed', { fd: 4, socketId: 2 });
      expect(sockets.sockets.map((s) => s.socketId)).toEqual([5]);
    });

    it('asks the lab for a transcript by socket id', async () => {
      await useLabStore().start();
      await useTranscriptsStore().load(7);
      expect(fake.inputsOf('lab.transcript')).toEqual([{ socketId: 7, limit: 100_000 }]);
    });
  });
});
