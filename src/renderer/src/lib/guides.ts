/**
 * The two classic tutorial flows as guided walks: a TCP server and client, and two UDP sockets.
 * Each step names the socket it acts on by its role (the server, the client, the connection
 * accept() returns, datagram sockets A and B) and the call to make; the walk moves on when the
 * call log shows that call succeeding on that socket. Text lives in i18n under
 * `workbench.guide.<walk>.<step id>`.
 */
import type { CallName, SockType } from '@shared/socket';

export type GuideId = 'tcp' | 'udp';
export type GuideRole = 'server' | 'client' | 'conn' | 'a' | 'b';

export interface GuideStep {
  /** i18n key of the step's explanation, under `workbench.guide.<walk>`. */
  id: string;
  role: GuideRole;
  call: CallName;
  /** socket(): the type to create. */
  type?: SockType;
  /** accept(): the role of the socket it returns. */
  makes?: GuideRole;
  /** recv() that must return 0 (the peer closed), not data. */
  expectZero?: boolean;
}

export const GUIDES: Record<GuideId, readonly GuideStep[]> = {
  tcp: [
    { id: 'serverSocket', role: 'server', call: 'socket', type: 'SOCK_STREAM' },
    { id: 'bind', role: 'server', call: 'bind' },
    { id: 'listen', role: 'server', call: 'listen' },
    { id: 'clientSocket', role: 'client', call: 'socket', type: 'SOCK_STREAM' },
    { id: 'connect', role: 'client', call: 'connect' },
    { id: 'accept', role: 'server', call: 'accept', makes: 'conn' },
    { id: 'clientSend', role: 'client', call: 'send' },
    { id: 'serverRecv', role: 'conn', call: 'recv' },
    { id: 'serverSend', role: 'conn', call: 'send' },
    { id: 'clientRecv', role: 'client', call: 'recv' },
    { id: 'clientClose', role: 'client', call: 'close' },
    { id: 'serverRecvZero', role: 'conn', call: 'recv', expectZero: true },
    { id: 'connClose', role: 'conn', call: 'close' },
    { id: 'serverClose', role: 'server', call: 'close' },
  ],
  udp: [
    { id: 'aSocket', role: 'a', call: 'socket', type: 'SOCK_DGRAM' },
    { id: 'aBind', role: 'a', call: 'bind' },
    { id: 'bSocket', role: 'b', call: 'socket', type: 'SOCK_DGRAM' },
    { id: 'bSendto', role: 'b', call: 'sendto' },
    { id: 'aRecvfrom', role: 'a', call: 'recvfrom' },
    { id: 'aSendto', role: 'a', call: 'sendto' },
    { id: 'bRecvfrom', role: 'b', call: 'recvfrom' },
    { id: 'aClose', role: 'a', call: 'close' },
    { id: 'bClose', role: 'b', call: 'close' },
  ],
};
