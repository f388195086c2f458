/**
 * The shape of each area of the lab as the facade sees it. Each area owns its routes and
 * cleans up after itself; areas see each other only through these read-only views.
 */
import type { CallRecord, SocketInfo } from '@shared/socket';
import type { Handlers } from './context';
import type { TcpSocketSource } from './tcpinfo/sampler';

export type SocketRouteName = Extract<keyof typeof import('@shared/routes').socketRoutes, string>;
export type CaptureRouteName = Extract<keyof typeof import('@shared/capture').captureRoutes, string>;
export type SocketAreaRoute = SocketRouteName | 'lab.sockets' | 'lab.calls' | 'lab.transcript' | 'lab.reset';

/** What other areas may read of the sockets (capture ties packets to sockets and calls with it). */
export interface SocketView {
  sockets(): SocketInfo[];
  calls(sinceId?: number): CallRecord[];
  /** TCP sockets and their kernel descriptors, for the TCP_INFO sampler. */
  tcp: TcpSocketSource;
}

export interface SocketArea {
  handlers: Handlers<SocketAreaRoute>;
  view: SocketView;
  /** The lab directory for AF_UNIX socket paths. */
  unixDir(): string;
  close(): Promise<void>;
}

export interface CaptureArea {
  handlers: Handlers<CaptureRouteName>;
  /** The lab was reset: every socket and call is gone, so are the packets' ties to them. */
  labReset(): void;
  close(): Promise<void>;
}
