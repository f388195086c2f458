/**
 * Which BSD calls a socket offers, laid out as the classic flow diagrams, and which of them fit
 * the socket's state right now. A call that does not fit can still be made: the lab answers
 * with the errno C would give, which is the lesson.
 */
import type { CallName, SocketInfo } from '@shared/socket';

/** The calls the call panel can make on an existing socket (socket() itself is the form). */
export type PanelCall = Exclude<CallName, 'socket'>;

/** One lane of a flow diagram: a title key and its calls in order. */
export interface FlowLane {
  id: 'server' | 'client' | 'datagram' | 'raw';
  steps: PanelCall[][];
}

/** The lanes of the classic diagrams; a step with two calls shows them side by side. */
export const FLOW_LANES: Record<FlowLane['id'], FlowLane> = {
  server: { id: 'server', steps: [['bind'], ['listen'], ['accept'], ['recv', 'send'], ['shutdown'], ['close']] },
  client: { id: 'client', steps: [['connect'], ['send', 'recv'], ['shutdown'], ['close']] },
  // listen() and accept() never fit UDP (EOPNOTSUPP) and shutdown() sends nothing, but they stay
  // offered (dashed) so the student can try them, as the stream lanes offer each other's calls.
  datagram: {
    id: 'datagram',
    steps: [['bind'], ['listen', 'accept'], ['sendto', 'recvfrom'], ['connect'], ['send', 'recv'], ['shutdown'], ['close']],
  },
  raw: { id: 'raw', steps: [['sendto', 'recvfrom'], ['close']] },
};

/** Calls outside the diagrams, always offered. */
export const EXTRA_CALLS: PanelCall[] = ['getsockname', 'getpeername', 'setsockopt', 'getsockopt', 'fcntl'];

/** The lanes to draw for a socket, the one its history points to first. */
export function lanesFor(info: SocketInfo): FlowLane[] {
  if (info.type === 'SOCK_RAW') return [FLOW_LANES.raw];
  if (info.type === 'SOCK_DGRAM') return [FLOW_LANES.datagram];
  const clientFirst = info.acceptedFrom === null && (info.state === 'connecting' || info.state === 'connected');
  return clientFirst ? [FLOW_LANES.client, FLOW_LANES.server] : [FLOW_LANES.server, FLOW_LANES.client];
}

/** The calls that make sense next for a socket in its current state (the highlighted ones). */
export function fittingCalls(info: SocketInfo): Set<PanelCall> {
  const fit = new Set<PanelCall>();
  if (info.state === 'closed') return fit;
  if (info.blockedIn !== null) return fit;
  const stream = info.type === 'SOCK_STREAM';
  switch (info.state) {
    case 'created':
      if (stream) ['bind', 'connect', 'setsockopt'].forEach((c) => fit.add(c as PanelCall));
      else ['bind', 'sendto', 'connect', 'setsockopt'].forEach((c) => fit.add(c as PanelCall));
      if (info.type === 'SOCK_RAW') fit.add('recvfrom');
      break;
    case 'bound':
      if (stream) ['listen', 'connect'].forEach((c) => fit.add(c as PanelCall));
      else ['sendto', 'recvfrom', 'connect'].forEach((c) => fit.add(c as PanelCall));
      break;
    case 'listening':
      fit.add('accept');
      break;
    case 'connecting':
      break;
    case 'connected':
      if (!info.shutWr) fit.add('send');
      if (!info.shutRd) fit.add('recv');
      if (!stream) {
        fit.add('sendto');
        fit.add('recvfrom');
      }
      if (stream && !(info.shutRd && info.shutWr)) fit.add('shutdown');
      break;
  }
  fit.add('close');
  return fit;
}
