/**
 * The lab's one libc binding (koffi): the few C calls Node does not expose, on real kernel
 * descriptors, for stream sockets (../sockets) and raw sockets (../raw) alike. One errno
 * mapping (./result), one sockaddr encoding (./sockaddr), one option table (./constants).
 * Every wrapper returns the kernel's value or its errno by name; none throws.
 */
import { libc } from './load';

export { AF, LINUX, type IntOption, type RawOption } from './constants';
export { labFailure, libcFailure, type LibcFailure, type LibcResult } from './result';
export { fromSockaddr, toSockaddr } from './sockaddr';
export {
  sysAccept,
  sysBind,
  sysBytesWaiting,
  sysClose,
  sysConnect,
  sysGetIntOption,
  sysGetLinger,
  sysListen,
  sysOpenFileLimit,
  sysPeerNameBytes,
  sysPollNow,
  sysRecvNow,
  sysRecvfrom,
  sysSendto,
  sysSetIntOption,
  sysSetLinger,
  sysSetNonblocking,
  sysShutdown,
  sysSockNameBytes,
  sysSocket,
  sysTcpInfo,
} from './sockets';
export { readinessPoller } from './poller';
export { sysLastReceiveStampNs, sysRealtimeNs } from './events';

export { parseTcpInfo, sysTcpInfoFields, TCP_INFO_BUFFER } from './tcp-info';
export {
  closeFd,
  inNetns,
  sysAddIpv6,
  sysCreateNetns,
  sysIfIndex,
  sysLinkUp,
  sysPacketDrops,
  sysPacketSocket,
  sysTxOffloadOff,
  sysReadNow,
  sysSetIpv4,
  sysSetMac,
  sysSetMtu,
  sysTimerfd,
  sysTimerfdAt,
  sysWriteAll,
} from './netns';

/** Whether the libc layer loads on this machine. */
export function libcAvailable(): boolean {
  return libc() !== null;
}
