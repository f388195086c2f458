/**
 * Linux numbers from <bits/socket.h>, <netinet/in.h>, <netinet/tcp.h>, <fcntl.h>, <poll.h>,
 * <sys/eventfd.h>: the one table every libc caller in the lab uses. x86_64 and arm64 alike.
 */
export const AF = { AF_UNIX: 1, AF_INET: 2, AF_INET6: 10 } as const;

export const LINUX = {
  AF_INET: AF.AF_INET,
  AF_INET6: AF.AF_INET6,
  SOCK_STREAM: 1,
  SOCK_RAW: 3,
  SOCK_CLOEXEC: 0o2000000,
  SOCK_NONBLOCK: 0o4000,
  SOL_SOCKET: 1,
  SO_ERROR: 4,
  IPPROTO_IP: 0,
  IPPROTO_TCP: 6,
  IPPROTO_IPV6: 41,
  MSG_PEEK: 0x2,
  MSG_DONTWAIT: 0x40,
  MSG_NOSIGNAL: 0x4000,
  /** getsockopt(IPPROTO_TCP, TCP_INFO): struct tcp_info, the kernel's view of one TCP socket. */
  TCP_INFO: 11,
  /** getsockopt(IPPROTO_TCP, TCP_CONGESTION): the congestion control algorithm's name. */
  TCP_CONGESTION: 13,
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
  F_GETFL: 3,
  F_SETFL: 4,
  O_NONBLOCK: 0o4000,
  FIONREAD: 0x541b,
  POLLIN: 0x001,
  POLLOUT: 0x004,
  POLLERR: 0x008,
  POLLHUP: 0x010,
  POLLNVAL: 0x020,
  EFD_NONBLOCK: 0o4000,
  EFD_CLOEXEC: 0o2000000,
  /** ioctl: the kernel receive time of the last packet read, struct timespec (64-bit layout). */
  SIOCGSTAMPNS: 0x8907,
  CLOCK_REALTIME: 0,
  RLIMIT_NOFILE: 7,
} as const;

/** Socket options by name: [level, optname]. */
export const OPTION_NUMBERS = {
  SO_REUSEADDR: [LINUX.SOL_SOCKET, 2],
  SO_BROADCAST: [LINUX.SOL_SOCKET, 6],
  SO_KEEPALIVE: [LINUX.SOL_SOCKET, 9],
  SO_SNDBUF: [LINUX.SOL_SOCKET, 7],
  SO_RCVBUF: [LINUX.SOL_SOCKET, 8],
  SO_LINGER: [LINUX.SOL_SOCKET, 13],
  TCP_NODELAY: [LINUX.IPPROTO_TCP, 1],
  IP_TTL: [LINUX.IPPROTO_IP, 2],
  IP_HDRINCL: [LINUX.IPPROTO_IP, 3],
  IP_MULTICAST_TTL: [LINUX.IPPROTO_IP, 33],
  IPV6_UNICAST_HOPS: [LINUX.IPPROTO_IPV6, 16],
  /** RFC 3542's level; Linux refuses it (EINVAL) on ICMPv6 sockets, whose checksum it always computes. */
  IPV6_CHECKSUM: [LINUX.IPPROTO_IPV6, 7],
} as const satisfies Record<string, readonly [number, number]>;

/** Options whose value is a C int (every one but SO_LINGER's struct linger). */
export type IntOption = Exclude<keyof typeof OPTION_NUMBERS, 'SO_LINGER'>;
/** The int options a raw socket takes. */
export type RawOption = Extract<IntOption, 'SO_RCVBUF' | 'SO_SNDBUF' | 'IP_TTL' | 'IP_HDRINCL' | 'IPV6_UNICAST_HOPS' | 'IPV6_CHECKSUM'>;

/** struct pollfd { int fd; short events; short revents; }: 8 bytes. */
export const POLLFD_SIZE = 8;
