/**
 * Each BSD call, dispatched to the stream or datagram implementation by socket type, with the
 * checks C makes before any (AF_UNIX datagrams refused, listen on a datagram socket, ...).
 * SOCK_RAW sockets are real kernel raw sockets (raw.ts).
 */
import type { Domain, MsgFlag, OptionValue, Protocol, ShutHow, SockAddr, SockType, SocketOption } from '@shared/socket';
import { unboundAddress } from './address';
import { bindDatagram, closeDatagram, connectDatagram, recvDatagram, sendDatagram, shutdownDatagram } from './datagram';
import { fail, succeed, type Outcome } from './errors';
import { getOption, setOption } from './options';
import { bindRaw, closeRaw, connectRaw, fcntlRaw, openLabRaw, recvRaw, sendRaw, shutdownRaw } from './raw';
import { acceptStream, bindStream, connectStream, ensureKernelFd, listenStream, refreshStreamView, streamPeerName } from './stream-setup';
import { reserveFailure } from './descriptors';
import type { UnixPolicy } from './unix-paths';
import { closeStream, recvStream, sendStream, shutdownStream } from './stream-io';
import type { Transcripts } from './transcript';
import { isFailure, type LabSocket, type SocketTable } from './table';

interface SocketCallsDeps {
  table: SocketTable;
  transcripts: Transcripts;
  /** Where AF_UNIX paths may live. */
  unix: UnixPolicy;
}

/** Where a socket is made: a lab-network host and its namespace, or null for this machine. */
export type Placement = { host: string; netns: number } | null;

/** Which protocols each type takes; IPPROTO_IP (0) picks the default. */
const PROTOCOL_FOR_TYPE: Record<'SOCK_STREAM' | 'SOCK_DGRAM', Protocol> = { SOCK_STREAM: 'IPPROTO_TCP', SOCK_DGRAM: 'IPPROTO_UDP' };

/** The calls of the socket area, bound to one lab's table and transcripts. */
export function createSocketCalls(deps: SocketCallsDeps) {
  const { table } = deps;

  /** socket(); `on`: the lab-network host (and its namespace) to make it on, null for this machine. */
  function socket(domain: Domain, type: SockType, protocol: Protocol, on: Placement = null): Outcome {
    if (type === 'SOCK_RAW') return openLabRaw(table, domain, protocol, on);
    if (domain === 'AF_UNIX' && type === 'SOCK_DGRAM') {
      return fail(
        'ESOCKTNOSUPPORT',
        'socket: AF_UNIX datagram sockets are not available: Node (which SockLab runs on) cannot open them. Use SOCK_STREAM for AF_UNIX, or UDP.',
      );
    }
    const expected = PROTOCOL_FOR_TYPE[type];
    if (protocol !== 'IPPROTO_IP' && (protocol !== expected || domain === 'AF_UNIX')) {
      return fail(
        'EPROTONOSUPPORT',
        `socket: ${protocol} does not go with ${domain}/${type}${domain === 'AF_UNIX' ? ' (AF_UNIX takes protocol 0)' : ` (use ${expected} or 0)`}.`,
      );
    }
    const reserve = reserveFailure('socket');
    if (reserve) return reserve;
    if (on && domain === 'AF_UNIX')
      return fail(
        'EAFNOSUPPORT',
        `socket: AF_UNIX sockets are files of this machine, not of host ${on.host}; use AF_INET or AF_INET6 on a lab-network host.`,
      );
    const sock = table.open(domain, type, protocol === 'IPPROTO_IP' && domain !== 'AF_UNIX' ? expected : protocol, on);
    if (isFailure(sock)) return sock;
    if (type === 'SOCK_STREAM') {
      const made = ensureKernelFd(sock, 'socket');
      if (made) {
        table.remove(sock);
        return made;
      }
    }
    table.notify(sock);
    return succeed(sock.fd);
  }

  return {
    socket,
    bind: (sock: LabSocket, address: SockAddr) => {
      if (sock.type === 'SOCK_RAW') return bindRaw(sock, address);
      return sock.type === 'SOCK_STREAM' ? bindStream(sock, address, deps.unix) : bindDatagram(deps, sock, address);
    },
    listen: (sock: LabSocket, backlog: number): Outcome =>
      sock.type === 'SOCK_STREAM'
        ? listenStream(sock, backlog, table)
        : fail('EOPNOTSUPP', `listen: descriptor ${sock.fd} is a ${kind(sock)} socket; only stream sockets listen for connections.`),
    accept: (sock: LabSocket): Outcome<{ peer: SockAddr | null }> | Promise<Outcome<{ peer: SockAddr | null }>> =>
      sock.type === 'SOCK_STREAM'
        ? acceptStream(sock, table, sock.nonblocking)
        : fail('EOPNOTSUPP', `accept: descriptor ${sock.fd} is a ${kind(sock)} socket; there are no connections to accept.`),
    connect: (sock: LabSocket, address: SockAddr) => {
      if (sock.type === 'SOCK_RAW') return connectRaw(sock, address);
      return sock.type === 'SOCK_STREAM'
        ? connectStream(sock, address, table, sock.nonblocking, deps.unix)
        : connectDatagram(deps, sock, address);
    },
    /** send (address null) and sendto; on a stream socket the address is ignored, as Linux does. */
    send: (sock: LabSocket, data: Buffer, address: SockAddr | null, flags: MsgFlag[], callId: number) => {
      if (sock.type === 'SOCK_RAW') return sendRaw(deps, sock, data, address, callId);
      return sock.type === 'SOCK_STREAM' ? sendStream(deps, sock, data, flags, callId) : sendDatagram(deps, sock, data, address, callId);
    },
    /** recv and recvfrom; a stream socket reports no source address (Linux leaves it empty). */
    async recv(
      sock: LabSocket,
      maxBytes: number,
      flags: MsgFlag[],
      callId: number,
      call: 'recv' | 'recvfrom',
    ): Promise<Outcome<{ data: Uint8Array; from: SockAddr | null }>> {
      if (sock.type === 'SOCK_DGRAM') return recvDatagram(deps, sock, maxBytes, flags, callId, call);
      if (sock.type === 'SOCK_RAW') return recvRaw(deps, sock, maxBytes, flags, callId, call);
      const outcome = await recvStream(deps, sock, maxBytes, flags, callId);
      return outcome.failed ? outcome : succeed(outcome.ret, { data: outcome.extra.data, from: null }, outcome.note);
    },
    shutdown: (sock: LabSocket, how: ShutHow) => {
      if (sock.type === 'SOCK_RAW') return shutdownRaw(deps, sock, how);
      return sock.type === 'SOCK_STREAM' ? shutdownStream(deps, sock, how) : shutdownDatagram(deps, sock, how);
    },
    /**
     * Releases the OS socket; returns a note when the close reset the connection. A raw socket
     * closes once the poller's worker thread lets go of it: the promise says when.
     */
    close: (sock: LabSocket): string | undefined | Promise<string | undefined> => {
      if (sock.type === 'SOCK_RAW') return closeRaw(sock);
      if (sock.type === 'SOCK_STREAM') return closeStream(sock);
      closeDatagram(sock);
      return undefined;
    },
    /** Brings a socket's view up to the kernel's before a snapshot. */
    refresh: (sock: LabSocket) => {
      if (sock.type === 'SOCK_STREAM') refreshStreamView(sock, table);
    },
    getpeername: (sock: LabSocket) => (sock.type === 'SOCK_STREAM' ? streamPeerName(sock) : null),
    setsockopt: (sock: LabSocket, option: SocketOption, level: string | undefined, value: OptionValue) =>
      setOption(sock, option, level, value),
    getsockopt: (sock: LabSocket, option: SocketOption, level: string | undefined) => getOption(sock, option, level),
    /** fcntl on a raw socket goes to its kernel descriptor; null for the others (the lab keeps the flag). */
    fcntl: (sock: LabSocket, nonblock: boolean | undefined) => (sock.type === 'SOCK_RAW' ? fcntlRaw(sock, nonblock) : null),
    unboundName: (sock: LabSocket) => unboundAddress(sock.domain),
  };
}

function kind(sock: LabSocket): string {
  return sock.type === 'SOCK_RAW' ? 'raw' : 'datagram';
}
