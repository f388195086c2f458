/**
 * Turns what a student typed in the call panel into the route input the lab expects. Kept
 * pure (no Vue) so the mapping from form to C arguments is tested directly.
 */
import type { RouteInput } from '@shared/api';
import type { MsgFlag, OptionValue, ShutHow, SockAddr, SocketInfo, SocketOption } from '@shared/socket';
import type { PanelCall } from './calls';

/** Routes that are BSD calls on an existing socket: `socket.bind` ... `socket.fcntl`. */
export type SocketCallRoute = `socket.${PanelCall}`;

/** A request ready for `api.invoke`: the route and its input, typed together. */
export type CallRequest = { [N in SocketCallRoute]: { route: N; input: RouteInput<N> } }[SocketCallRoute];

/** Everything the call panel's inputs hold; one object so switching calls keeps values. */
export interface CallArgs {
  address: string;
  port: number;
  path: string;
  backlog: number;
  maxBytes: number;
  flags: MsgFlag[];
  how: ShutHow;
  option: SocketOption;
  optionValue: number;
  lingerOn: boolean;
  lingerSeconds: number;
  multiaddr: string;
  multiInterface: string;
  nonblock: boolean;
  /** sendto() on a connected datagram socket may pass NULL as the address. */
  sendtoNullAddress: boolean;
}

/** Defaults a student would type first: loopback, port 8080, backlog 128, 4 KiB reads. */
export function defaultCallArgs(): CallArgs {
  return {
    address: '127.0.0.1',
    port: 8080,
    path: '/tmp/socklab.sock',
    backlog: 128,
    maxBytes: 4096,
    flags: [],
    how: 'SHUT_WR',
    option: 'SO_REUSEADDR',
    optionValue: 1,
    lingerOn: true,
    lingerSeconds: 0,
    multiaddr: '239.1.2.3',
    multiInterface: '0.0.0.0',
    nonblock: false,
    sendtoNullAddress: false,
  };
}

/** The address a form describes, in the socket's own domain (AF_UNIX takes the path). */
export function addressFor(info: Pick<SocketInfo, 'domain'>, args: CallArgs): SockAddr {
  if (info.domain === 'AF_UNIX') return { family: 'AF_UNIX', path: args.path };
  if (info.domain === 'AF_INET6') return { family: 'AF_INET6', address: args.address, port: args.port };
  return { family: 'AF_INET', address: args.address, port: args.port };
}

/** The option value setsockopt() passes: an int, a struct linger or a struct ip_mreq. */
export function optionValueFor(args: CallArgs): OptionValue {
  if (args.option === 'SO_LINGER') return { onoff: args.lingerOn, linger: args.lingerSeconds };
  if (args.option === 'IP_ADD_MEMBERSHIP' || args.option === 'IP_DROP_MEMBERSHIP') {
    return { multiaddr: args.multiaddr, interface: args.multiInterface };
  }
  return args.optionValue;
}

/**
 * Builds the request for `call` on `info`. `payload` is the payload editor's bytes, or null when the editor holds invalid input (send/sendto then cannot be built).
 */
export function buildCallRequest(
  call: PanelCall,
  info: Pick<SocketInfo, 'fd' | 'domain'>,
  args: CallArgs,
  payload: Uint8Array | null,
): CallRequest | null {
  const fd = info.fd;
  switch (call) {
    case 'bind':
      return { route: 'socket.bind', input: { fd, address: addressFor(info, args) } };
    case 'connect':
      return { route: 'socket.connect', input: { fd, address: addressFor(info, args) } };
    case 'listen':
      return { route: 'socket.listen', input: { fd, backlog: args.backlog } };
    case 'accept':
      return { route: 'socket.accept', input: { fd } };
    case 'send':
      return payload === null ? null : { route: 'socket.send', input: { fd, data: payload, flags: [...args.flags] } };
    case 'sendto':
      if (payload === null) return null;
      return {
        route: 'socket.sendto',
        input: { fd, data: payload, address: args.sendtoNullAddress ? null : addressFor(info, args), flags: [...args.flags] },
      };
    case 'recv':
      return { route: 'socket.recv', input: { fd, maxBytes: args.maxBytes, flags: [...args.flags] } };
    case 'recvfrom':
      return { route: 'socket.recvfrom', input: { fd, maxBytes: args.maxBytes, flags: [...args.flags] } };
    case 'shutdown':
      return { route: 'socket.shutdown', input: { fd, how: args.how } };
    case 'close':
      return { route: 'socket.close', input: { fd } };
    case 'getsockname':
      return { route: 'socket.getsockname', input: { fd } };
    case 'getpeername':
      return { route: 'socket.getpeername', input: { fd } };
    case 'setsockopt':
      return { route: 'socket.setsockopt', input: { fd, option: args.option, value: optionValueFor(args) } };
    case 'getsockopt':
      return { route: 'socket.getsockopt', input: { fd, option: args.option } };
    case 'fcntl':
      return { route: 'socket.fcntl', input: { fd, cmd: 'F_SETFL', nonblock: args.nonblock } };
  }
}
