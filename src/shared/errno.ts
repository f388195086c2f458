/**
 * The errno values SockLab can return, with Linux numbering (asm-generic/errno*.h) and a
 * sentence a student understands. The sentence is the generic meaning; a call adds its own
 * detail in `CallError.message`. The renderer translates by errno name (i18n), so this table
 * stays the one place that numbers errors.
 */
import { OTHER_LINUX_ERRNO } from './errno-linux';

const SOCKET_ERRNO = {
  EPERM: { code: 1, text: 'Operation not permitted: this needs root or the CAP_NET_RAW capability.' },
  ENOENT: { code: 2, text: 'No such file or directory: nothing exists at that Unix socket path.' },
  EINTR: { code: 4, text: 'Interrupted: the blocking call was cancelled before the OS answered.' },
  EBADF: { code: 9, text: 'Bad file descriptor: no open socket has that number.' },
  EAGAIN: { code: 11, text: 'Try again: the socket is non-blocking and nothing is ready yet.' },
  ENOMEM: { code: 12, text: 'Out of memory.' },
  EACCES: { code: 13, text: 'Permission denied: ports below 1024 and some operations need privileges.' },
  EFAULT: { code: 14, text: 'Bad address.' },
  EEXIST: { code: 17, text: 'File exists: a file is already at that Unix socket path.' },
  ENOTDIR: { code: 20, text: 'A component of the path is not a directory.' },
  EINVAL: { code: 22, text: 'Invalid argument: a value is out of range or the socket is in the wrong state for this call.' },
  EMFILE: { code: 24, text: 'Too many open files: the lab allows at most 1024 sockets at once.' },
  EPIPE: { code: 32, text: 'Broken pipe: this socket can no longer send (it was shut down for writing or the peer is gone).' },
  ENAMETOOLONG: { code: 36, text: 'File name too long: a Unix socket path holds at most 107 bytes.' },
  EPROTO: {
    code: 71,
    text: 'Protocol error: this option or operation does not fit the protocol (for example a multicast membership on a TCP socket).',
  },
  ENOSYS: { code: 38, text: 'Function not implemented.' },
  ENOTSOCK: { code: 88, text: 'Socket operation on non-socket.' },
  EDESTADDRREQ: { code: 89, text: 'Destination address required: an unconnected datagram socket needs sendto() with an address.' },
  EMSGSIZE: { code: 90, text: 'Message too long: a UDP datagram carries at most 65507 bytes over IPv4.' },
  EPROTOTYPE: { code: 91, text: 'Protocol wrong type for socket.' },
  ENOPROTOOPT: { code: 92, text: 'Protocol not available: this option does not exist at that level for this socket.' },
  EPROTONOSUPPORT: { code: 93, text: 'Protocol not supported for this domain and type.' },
  ESOCKTNOSUPPORT: { code: 94, text: 'Socket type not supported in this domain.' },
  EOPNOTSUPP: { code: 95, text: 'Operation not supported on this kind of socket (for example listen() on a datagram socket).' },
  EAFNOSUPPORT: { code: 97, text: "Address family not supported: the address does not belong to this socket's domain." },
  EADDRINUSE: { code: 98, text: 'Address already in use: another socket is bound to this address and port.' },
  EADDRNOTAVAIL: { code: 99, text: 'Cannot assign requested address: this machine has no interface with that address.' },
  ENETDOWN: { code: 100, text: 'Network is down.' },
  ENETUNREACH: { code: 101, text: 'Network is unreachable: there is no route to that address.' },
  ECONNABORTED: { code: 103, text: 'Connection aborted before it could be accepted.' },
  ECONNRESET: { code: 104, text: 'Connection reset by peer: the other side sent RST (it closed with unread data, or aborted).' },
  ENOBUFS: { code: 105, text: 'No buffer space available.' },
  EISCONN: { code: 106, text: 'Transport endpoint is already connected.' },
  ENOTCONN: { code: 107, text: 'Transport endpoint is not connected: connect() (or accept()) first.' },
  ETIMEDOUT: { code: 110, text: 'Connection timed out: the peer never answered.' },
  ECONNREFUSED: {
    code: 111,
    text: 'Connection refused: nothing listens on that port (the peer answered RST, or ICMP port unreachable for UDP).',
  },
  EHOSTUNREACH: { code: 113, text: 'No route to host.' },
  EALREADY: { code: 114, text: 'Operation already in progress: a non-blocking connect() is still under way.' },
  EINPROGRESS: { code: 115, text: 'Operation now in progress: the non-blocking connect() has sent its SYN; wait for it to finish.' },
} as const satisfies Record<string, { code: number; text: string }>;

/** Every Linux errno: the ones socket calls meet, with sentences for students, then all the rest. */
export const ERRNO = { ...SOCKET_ERRNO, ...OTHER_LINUX_ERRNO } as const;

export type ErrnoName = keyof typeof ERRNO;

export const ERRNO_NAMES = Object.keys(ERRNO) as [ErrnoName, ...ErrnoName[]];

/** Looks an errno name up by its Linux number (as Node's `err.errno` gives it, negated). */
export function errnoByCode(code: number): ErrnoName | undefined {
  const positive = Math.abs(code);
  return ERRNO_NAMES.find((name) => ERRNO[name].code === positive);
}

/** Whether a string is one of the errno names SockLab knows. */
export function isErrnoName(name: string): name is ErrnoName {
  return Object.hasOwn(ERRNO, name);
}
