/**
 * The socket area: every `socket.*` route plus lab.sockets/calls/transcript/reset. Each call is
 * logged when it starts and when it ends, runs against a real OS socket, and answers as C does
 * (a value, or -1 with errno and a sentence). The work is split by topic: the descriptor table
 * (table.ts), stream sockets (stream-setup.ts, stream-io.ts), datagram sockets (datagram.ts),
 * options (options.ts), the call log and transcripts.
 */
import { ERRNO } from '@shared/errno';
import { formatLabText, labText } from '@shared/lab-text';
import type { CallName, SockAddr } from '@shared/socket';
import type { Handlers, LabContext } from '../context';
import type { SocketArea, SocketAreaRoute } from '../areas';
import { streamLocalName } from './stream-setup';
import { createCallLog, summarisePayload } from './calllog';
import { fail, fromNodeError, succeed, type Outcome } from './errors';
import { createSocketTable, handleFd, isFailure, type LabSocket } from './table';
import { createTranscripts } from './transcript';
import { createSocketCalls } from './calls';
import { asBuffer } from '../wire-bytes';
import { createUnixPolicy } from './unix-paths';

/** Creates the socket area of a lab: real sockets, the call log, transcripts. */
export function createSocketArea(ctx: LabContext): SocketArea {
  // A closed socket's transcript is kept among the last few; the table says when one goes.
  const transcripts = createTranscripts(ctx, (fd) => table.get(fd)?.socketId);
  const table = createSocketTable(ctx, (sock) => transcripts.retire(sock.socketId));
  const log = createCallLog(ctx);
  const unix = createUnixPolicy(ctx.options);
  const calls = createSocketCalls({ table, transcripts, unix });

  /** Runs one call: logs it, runs it (never throwing), logs the result, shapes C's answer. */
  async function run<E extends object>(
    call: CallName,
    fd: number | null,
    args: Record<string, unknown>,
    body: (callId: number) => Outcome<E> | Promise<Outcome<E>>,
  ) {
    const host = fd === null ? ((args.host as string | null | undefined) ?? null) : (table.get(fd)?.host ?? null);
    const record = log.start(fd, fd === null ? null : (table.get(fd)?.socketId ?? null), call, args, host);
    let outcome: Outcome<E>;
    try {
      outcome = await body(record.id);
    } catch (error) {
      outcome = fromNodeError(error, call);
    }
    const made = outcome.failed ? undefined : (outcome.extra as { socketId?: unknown }).socketId;
    log.finish(record, outcome, typeof made === 'number' ? made : null);
    const sock = fd === null ? undefined : table.get(fd);
    if (sock) table.notify(sock);
    if (outcome.failed) {
      const errno = outcome.errno;
      return {
        ok: false as const,
        ret: -1 as const,
        errno,
        code: ERRNO[errno].code,
        message: outcome.message,
        ...(outcome.text ? { text: outcome.text } : {}),
        callId: record.id,
      };
    }
    return {
      ok: true as const,
      ret: outcome.ret,
      callId: record.id,
      ...(outcome.note ? { note: outcome.note } : {}),
      ...outcome.extra,
    };
  }

  /** Runs a call on an existing descriptor (EBADF when there is none). */
  function onSocket<E extends object>(
    call: CallName,
    fd: number,
    args: Record<string, unknown>,
    body: (sock: LabSocket, callId: number) => Outcome<E> | Promise<Outcome<E>>,
  ) {
    return run<E>(call, fd, { fd, ...args }, (callId) => {
      const sock = table.lookup(fd, call);
      return isFailure(sock) ? sock : body(sock, callId);
    });
  }

  /**
   * A socket()/accept() answer with the new socket's identity; `listener` is the socket accept()
   * was called on, which the new one remembers by identity as well as by descriptor.
   */
  function withNewSocket<E extends object>(outcome: Outcome<E>, listener?: LabSocket): Outcome<E & { socketId: number }> {
    if (outcome.failed) return outcome;
    const made = table.get(outcome.ret);
    if (!made) return fail('EBADF', `descriptor ${outcome.ret} was closed before its call returned.`);
    if (listener) {
      made.acceptedFromId = listener.socketId;
      table.notify(made);
    }
    return succeed(outcome.ret, { ...outcome.extra, socketId: made.socketId }, outcome.note);
  }

  const handlers: Handlers<SocketAreaRoute> = {
    'socket.socket': (input) =>
      run('socket', null, input, () => {
        const netns = ctx.net.nsOf(input.host);
        if (netns === undefined || (input.host !== null && netns === null)) {
          return fail('EINVAL', `socket: there is no host "${input.host}" in the lab network.`);
        }
        const on = input.host !== null && netns !== null ? { host: input.host, netns } : null;
        return withNewSocket(calls.socket(input.domain, input.type, input.protocol, on));
      }),
    'socket.bind': ({ fd, address }) => onSocket('bind', fd, { address }, (sock) => calls.bind(sock, address)),
    'socket.listen': ({ fd, backlog }) => onSocket('listen', fd, { backlog }, (sock) => calls.listen(sock, backlog)),
    'socket.accept': ({ fd }) => onSocket('accept', fd, {}, async (sock) => withNewSocket(await calls.accept(sock), sock)),
    'socket.connect': ({ fd, address }) => onSocket('connect', fd, { address }, (sock) => calls.connect(sock, address)),
    'socket.send': ({ fd, data, flags }) => {
      const bytes = asBuffer(data); // a view, never a copy: payloads can be 16 MiB
      return onSocket('send', fd, { data: summarisePayload(bytes), flags }, (sock, id) => calls.send(sock, bytes, null, flags, id));
    },
    'socket.sendto': ({ fd, data, address, flags }) => {
      const bytes = asBuffer(data);
      return onSocket('sendto', fd, { data: summarisePayload(bytes), address, flags }, (sock, id) =>
        calls.send(sock, bytes, address, flags, id),
      );
    },
    'socket.recv': ({ fd, maxBytes, flags }) =>
      onSocket('recv', fd, { maxBytes, flags }, async (sock, id) => {
        const outcome = await calls.recv(sock, maxBytes, flags, id, 'recv');
        return outcome.failed ? outcome : succeed(outcome.ret, { data: outcome.extra.data }, outcome.note);
      }),
    'socket.recvfrom': ({ fd, maxBytes, flags }) =>
      onSocket('recvfrom', fd, { maxBytes, flags }, (sock, id) => calls.recv(sock, maxBytes, flags, id, 'recvfrom')),
    'socket.shutdown': ({ fd, how }) => onSocket('shutdown', fd, { how }, (sock) => calls.shutdown(sock, how)),
    'socket.close': ({ fd }) =>
      onSocket('close', fd, {}, async (sock) => {
        const closing = calls.close(sock);
        table.abortWaiters(sock, fail('EBADF', `descriptor ${sock.fd} was closed while this call was blocked.`));
        table.remove(sock);
        return succeed(0, {}, await closing);
      }),
    'socket.getsockname': ({ fd }) => onSocket('getsockname', fd, {}, (sock) => succeed(0, { address: localName(sock) })),
    'socket.getpeername': ({ fd }) =>
      onSocket('getpeername', fd, {}, (sock) => {
        const fromKernel = calls.getpeername(sock);
        if (fromKernel) return fromKernel;
        return sock.state === 'connected' && sock.peer
          ? succeed(0, { address: sock.peer })
          : fail('ENOTCONN', `getpeername: descriptor ${fd} is not connected (${sock.state}).`);
      }),
    'socket.setsockopt': ({ fd, level, option, value }) =>
      onSocket('setsockopt', fd, { level: level ?? null, option, value }, (sock) => calls.setsockopt(sock, option, level, value)),
    'socket.getsockopt': ({ fd, level, option }) =>
      onSocket('getsockopt', fd, { level: level ?? null, option }, (sock) => calls.getsockopt(sock, option, level)),
    'socket.fcntl': ({ fd, cmd, nonblock }) =>
      onSocket('fcntl', fd, { cmd, nonblock: nonblock ?? null }, (sock) => {
        const O_RDWR = 0o2;
        const O_NONBLOCK = 0o4000;
        if (cmd === 'F_SETFL' && nonblock === undefined)
          return fail('EINVAL', 'fcntl: F_SETFL needs the flags to set (nonblock true or false).');
        // A raw socket's flags live on its own kernel descriptor; the others' in the lab.
        const kernel = calls.fcntl(sock, cmd === 'F_SETFL' ? nonblock : undefined);
        if (kernel) return kernel;
        if (cmd === 'F_GETFL') return succeed(O_RDWR | (sock.nonblocking ? O_NONBLOCK : 0), { nonblock: sock.nonblocking });
        sock.nonblocking = nonblock === true;
        return succeed(0, { nonblock: sock.nonblocking });
      }),
    'socket.cancel': ({ fd }) => {
      const sock = table.get(fd);
      const notOpen = labText('cancel.notOpen', { fd });
      if (!sock)
        return {
          ok: false as const,
          errno: 'EBADF' as const,
          code: ERRNO.EBADF.code,
          message: `cancel: ${formatLabText(notOpen)}`,
          text: notOpen,
        };
      const blocked = table.info(sock).blockedIn;
      const cancelled = table.abortWaiters(sock, fail('EINTR', `${blocked ?? 'call'}: interrupted (cancelled) before the OS answered.`));
      return { ok: true as const, value: { cancelled: cancelled > 0 } };
    },
    'lab.sockets': () => ({ ok: true as const, value: view.sockets() }),
    'lab.calls': ({ sinceId, limit }) => ({ ok: true as const, value: log.since(sinceId, limit) }),
    'lab.transcript': ({ socketId, limit }) => ({ ok: true as const, value: transcripts.read(socketId, limit) }),
    'lab.reset': async () => {
      const closed = await closeAll();
      log.clear();
      transcripts.clear();
      return { ok: true as const, value: { closed } };
    },
  };

  function localName(sock: LabSocket): SockAddr | null {
    if (sock.type === 'SOCK_STREAM') return streamLocalName(sock);
    if (sock.raw) {
      // The kernel's own answer (for raw IPv4 the "port" is the protocol number).
      const name = sock.raw.localAddress();
      if (name.ok && name.value) return name.value;
    }
    return sock.local ?? calls.unboundName(sock);
  }

  async function closeAll(): Promise<number> {
    const open = table.all();
    const closing: Array<Promise<unknown> | unknown> = [];
    for (const sock of open) {
      closing.push(calls.close(sock));
      table.abortWaiters(sock, fail('EBADF', `descriptor ${sock.fd} was closed by a lab reset.`));
      table.remove(sock);
    }
    await Promise.all(closing); // raw sockets close once the poller's worker lets go of them
    // Let Node finish closing handles so ports and paths are free when reset returns.
    await new Promise((resolve) => setImmediate(resolve));
    return open.length;
  }

  const view = {
    sockets: () =>
      table.all().map((sock) => {
        calls.refresh(sock);
        return table.info(sock);
      }),
    calls: (sinceId = 0) => log.since(sinceId),
    tcp: {
      socket: (socketId: number) => {
        const sock = table.byId(socketId);
        return sock && { tcp: isTcp(sock), ref: tcpRef(sock) };
      },
      tcpSockets: () => table.all().filter(isTcp).map(tcpRef),
    },
  };

  /** A TCP socket: SOCK_STREAM over IPv4 or IPv6 (AF_UNIX streams have no TCP_INFO). */
  function isTcp(sock: LabSocket): boolean {
    return sock.type === 'SOCK_STREAM' && sock.domain !== 'AF_UNIX';
  }
  function tcpRef(sock: LabSocket) {
    return { socketId: sock.socketId, fd: sock.kernelFd ?? handleFd(sock.conn) };
  }

  return {
    handlers,
    view,
    unixDir: () => unix.dir(),
    async close() {
      await closeAll();
      unix.dispose();
    },
  };
}
