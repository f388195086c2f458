/**
 * The API reference a student reads next to each call: the C signature, what each parameter
 * means, what the call returns, and the errors it can give, in English and Simplified Chinese.
 * Plain data (no UI text lives elsewhere for it); the renderer shows `API_REFERENCE[call]`.
 * Errno names are those of errno.ts; the sentences say what the error means for THIS call.
 */
import type { ErrnoName } from './errno';
import type { CallName } from './socket';

export interface RefText {
  en: string;
  zh: string;
}
export interface ApiParam {
  name: string;
  text: RefText;
}
export interface ApiError {
  errno: ErrnoName;
  text: RefText;
}
export interface ApiEntry {
  call: CallName;
  /** The C prototype, as in the man page. */
  signature: string;
  /** The header to include. */
  header: string;
  summary: RefText;
  params: ApiParam[];
  returns: RefText;
  errors: ApiError[];
  /** Where SockLab differs from C for this call (see docs/fidelity.md), if anywhere. */
  note?: RefText;
}

const t = (en: string, zh: string): RefText => ({ en, zh });
const p = (name: string, en: string, zh: string): ApiParam => ({ name, text: t(en, zh) });
const e = (errno: ErrnoName, en: string, zh: string): ApiError => ({ errno, text: t(en, zh) });

const FD = p('sockfd', 'The socket descriptor, as socket() or accept() returned it.', '套接字描述符，即 socket() 或 accept() 的返回值。');
const EBADF = e(
  'EBADF',
  'sockfd is not an open descriptor (already closed, or never opened).',
  'sockfd 不是一个打开的描述符（已经关闭或从未打开）。',
);
const ENOTSOCK = e('ENOTSOCK', 'sockfd refers to something that is not a socket.', 'sockfd 指向的不是套接字。');
const EINTR = e(
  'EINTR',
  'The blocking call was interrupted (in SockLab: cancelled) before it completed.',
  '阻塞调用在完成之前被中断（在 SockLab 中即被取消）。',
);
const EAGAIN_NB = (en: string, zh: string) => e('EAGAIN', `The socket is non-blocking and ${en}`, `套接字是非阻塞的，并且${zh}`);
const ZERO_OR_MINUS = t('0 on success; -1 on error, with errno set.', '成功返回 0；出错返回 -1，并设置 errno。');
const ADDRLEN = p('addrlen', 'The size of *addr in bytes.', '*addr 的字节大小。');
const FLAGS = p(
  'flags',
  'Zero, or MSG_* flags OR-ed together: MSG_DONTWAIT (do not block this once), MSG_PEEK (recv: look without removing), MSG_WAITALL (recv: wait for the whole length), MSG_NOSIGNAL (send: EPIPE instead of SIGPIPE).',
  '0，或按位或组合的 MSG_* 标志：MSG_DONTWAIT（本次不阻塞）、MSG_PEEK（recv：只查看不取走）、MSG_WAITALL（recv：等待读满整个长度）、MSG_NOSIGNAL（send：返回 EPIPE 而不是发出 SIGPIPE）。',
);

export const API_REFERENCE: Record<CallName, ApiEntry> = {
  socket: {
    call: 'socket',
    signature: 'int socket(int domain, int type, int protocol);',
    header: '<sys/socket.h>',
    summary: t(
      'Creates a communication endpoint and returns a descriptor for it. No packet is sent.',
      '创建一个通信端点并返回它的描述符。不发送任何报文。',
    ),
    params: [
      p(
        'domain',
        'The address family: AF_INET (IPv4), AF_INET6 (IPv6) or AF_UNIX (local, by file path).',
        '地址族：AF_INET（IPv4）、AF_INET6（IPv6）或 AF_UNIX（本地，以文件路径寻址）。',
      ),
      p(
        'type',
        'SOCK_STREAM (a reliable byte stream: TCP), SOCK_DGRAM (separate messages: UDP) or SOCK_RAW (whole IP payloads, e.g. ICMP; needs privileges).',
        'SOCK_STREAM（可靠的字节流：TCP）、SOCK_DGRAM（独立的消息：UDP）或 SOCK_RAW（完整的 IP 载荷，如 ICMP；需要特权）。',
      ),
      p(
        'protocol',
        '0 picks the usual protocol for the type; SOCK_RAW needs one such as IPPROTO_ICMP.',
        '0 表示该类型的常用协议；SOCK_RAW 需要指定，例如 IPPROTO_ICMP。',
      ),
    ],
    returns: t(
      'A new descriptor (the lowest unused number, 3 or more in a fresh program); -1 on error.',
      '新的描述符（未使用的最小编号，新程序中从 3 开始）；出错返回 -1。',
    ),
    errors: [
      e('EAFNOSUPPORT', 'This domain is not supported.', '不支持该地址族。'),
      e('EPROTONOSUPPORT', 'The protocol does not exist for this domain and type.', '该地址族和类型下不存在这个协议。'),
      e('ESOCKTNOSUPPORT', 'The type is not supported in this domain.', '该地址族不支持这种类型。'),
      e('EPERM', 'SOCK_RAW needs root or CAP_NET_RAW.', 'SOCK_RAW 需要 root 权限或 CAP_NET_RAW 能力。'),
      e('EMFILE', 'Too many descriptors are open.', '打开的描述符太多。'),
    ],
  },
  bind: {
    call: 'bind',
    signature: 'int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);',
    header: '<sys/socket.h>',
    summary: t(
      'Gives the socket its local address: an IP address and port, or a Unix path. Servers bind so clients know where to connect. No packet is sent.',
      '为套接字指定本地地址：IP 地址和端口，或 Unix 路径。服务器通过 bind 让客户端知道连接到哪里。不发送任何报文。',
    ),
    params: [
      FD,
      p(
        'addr',
        'The local address. Port 0 asks the kernel for any free port; 0.0.0.0 (INADDR_ANY) or :: means every local address.',
        '本地地址。端口 0 表示请内核分配任意空闲端口；0.0.0.0（INADDR_ANY）或 :: 表示所有本地地址。',
      ),
      ADDRLEN,
    ],
    returns: ZERO_OR_MINUS,
    errors: [
      e(
        'EADDRINUSE',
        'Another socket already holds this address and port (or INADDR_ANY on that port). SO_REUSEADDR allows rebinding a port whose old connection is in TIME_WAIT.',
        '另一个套接字已经占用了这个地址和端口（或该端口上的 INADDR_ANY）。SO_REUSEADDR 允许重新绑定旧连接处于 TIME_WAIT 的端口。',
      ),
      e('EADDRNOTAVAIL', 'No local interface has this IP address.', '没有任何本地接口拥有这个 IP 地址。'),
      e('EACCES', 'Ports below 1024 need privileges.', '1024 以下的端口需要特权。'),
      e('EINVAL', 'The socket is already bound (a socket binds once).', '套接字已经绑定过（一个套接字只能绑定一次）。'),
      e('EAFNOSUPPORT', "The address family does not match the socket's domain.", '地址族与套接字的 domain 不匹配。'),
      e('EEXIST', 'AF_UNIX: a file already exists at this path; remove it first.', 'AF_UNIX：该路径上已经存在文件；请先删除它。'),
      EBADF,
    ],
    note: t(
      'SockLab binds at bind() on the real kernel socket, as C does. AF_UNIX paths stay in the lab directory: a relative name resolves there; other paths answer EACCES unless an instructor allowed them.',
      'SockLab 在 bind() 时就在真实的内核套接字上绑定，与 C 相同。AF_UNIX 路径限定在实验目录内：相对名称在该目录中解析；其他路径返回 EACCES，除非教师允许。',
    ),
  },
  listen: {
    call: 'listen',
    signature: 'int listen(int sockfd, int backlog);',
    header: '<sys/socket.h>',
    summary: t(
      'Makes a stream socket a listening socket: from now on the kernel answers SYNs with SYN-ACK and queues completed connections for accept().',
      '把流式套接字变为监听套接字：此后内核会用 SYN-ACK 回应 SYN，并把已完成的连接放入队列等待 accept()。',
    ),
    params: [
      FD,
      p('backlog', 'How many completed connections may wait in the accept queue.', '接受队列中最多可以等待多少个已完成的连接。'),
    ],
    returns: ZERO_OR_MINUS,
    errors: [
      e('EOPNOTSUPP', 'The socket is not a stream socket (UDP cannot listen).', '套接字不是流式套接字（UDP 不能监听）。'),
      e(
        'EADDRINUSE',
        'The address (bound, or chosen now for an unbound socket) is already in use.',
        '该地址（已绑定的，或为未绑定套接字此刻选择的）已被占用。',
      ),
      EBADF,
    ],
  },
  accept: {
    call: 'accept',
    signature: 'int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen);',
    header: '<sys/socket.h>',
    summary: t(
      'Takes the oldest completed connection from the accept queue and returns a NEW socket for it. The handshake happened before; accept() sends nothing. Blocks while the queue is empty.',
      '从接受队列中取出最早完成的连接，并为它返回一个新的套接字。握手早已完成；accept() 不发送任何报文。队列为空时阻塞。',
    ),
    params: [
      p('sockfd', 'The listening socket. It stays listening after accept().', '监听套接字。accept() 之后它仍然继续监听。'),
      p('addr', "Filled with the peer's (the client's) address; may be NULL.", '被填入对端（客户端）的地址；可以为 NULL。'),
      p('addrlen', 'In: the size of *addr; out: the size of the address written.', '输入：*addr 的大小；输出：写入的地址的大小。'),
    ],
    returns: t('A new descriptor for the connection; -1 on error.', '该连接的新描述符；出错返回 -1。'),
    errors: [
      EAGAIN_NB('no connection is waiting.', '没有正在等待的连接。'),
      e('EINVAL', 'The socket is not listening: call listen() first.', '套接字没有在监听：请先调用 listen()。'),
      e('EOPNOTSUPP', 'The socket is not a stream socket.', '套接字不是流式套接字。'),
      e('ECONNABORTED', 'A connection was aborted (reset) while it waited in the queue.', '一个连接在队列中等待时被中止（重置）了。'),
      e('EMFILE', 'Too many descriptors are open.', '打开的描述符太多。'),
      EINTR,
      EBADF,
    ],
  },
  connect: {
    call: 'connect',
    signature: 'int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);',
    header: '<sys/socket.h>',
    summary: t(
      'TCP: sends SYN and returns when the three-way handshake completes (the server need not have called accept()). UDP: sends nothing; sets the default destination and accepts datagrams only from that address.',
      'TCP：发送 SYN，并在三次握手完成时返回（服务器不必已经调用 accept()）。UDP：不发送任何报文；设置默认目的地址，并且只接收来自该地址的数据报。',
    ),
    params: [
      FD,
      p(
        'addr',
        "The server's address (or, for UDP, the peer's). An unbound socket is bound to an ephemeral port first.",
        '服务器的地址（UDP 则为对端地址）。未绑定的套接字会先被绑定到一个临时端口。',
      ),
      ADDRLEN,
    ],
    returns: ZERO_OR_MINUS,
    errors: [
      e(
        'ECONNREFUSED',
        'Nothing listens at that address: the peer answered the SYN with RST.',
        '该地址上没有监听者：对端用 RST 回应了 SYN。',
      ),
      e('ETIMEDOUT', 'The peer never answered the SYN.', '对端从未回应 SYN。'),
      e('ENETUNREACH', 'There is no route to that network.', '没有通往该网络的路由。'),
      e(
        'EINPROGRESS',
        'Non-blocking: the SYN is sent; the connection completes later (poll for writable, then read SO_ERROR).',
        '非阻塞：SYN 已发出；连接稍后完成（等待可写，然后读取 SO_ERROR）。',
      ),
      e('EALREADY', 'A non-blocking connect() is still in progress.', '一个非阻塞的 connect() 仍在进行中。'),
      e(
        'EISCONN',
        'The stream socket is already connected. After a non-blocking connect(), the next connect() returns 0 once the handshake is done, then EISCONN.',
        '该流式套接字已经连接。非阻塞 connect() 之后，握手完成时下一次 connect() 返回一次 0，之后返回 EISCONN。',
      ),
      e('EAFNOSUPPORT', "The address family does not match the socket's domain.", '地址族与套接字的 domain 不匹配。'),
      e('ENOENT', 'AF_UNIX: nothing exists at that path.', 'AF_UNIX：该路径上不存在任何东西。'),
      EINTR,
      EBADF,
    ],
  },
  send: {
    call: 'send',
    signature: 'ssize_t send(int sockfd, const void *buf, size_t len, int flags);',
    header: '<sys/socket.h>',
    summary: t(
      "Copies bytes into the kernel's send buffer of a connected socket and returns. It does NOT wait for the peer to read them; it blocks only while the send buffer is full (the peer's window is closed).",
      '把字节复制到已连接套接字的内核发送缓冲区后返回。它不会等待对端读取；只有在发送缓冲区已满（对端窗口关闭）时才会阻塞。',
    ),
    params: [FD, p('buf', 'The bytes to send.', '要发送的字节。'), p('len', 'How many bytes.', '字节数。'), FLAGS],
    returns: t(
      'The number of bytes taken (a stream may take fewer than len); -1 on error.',
      '被接收的字节数（流式套接字可能少于 len）；出错返回 -1。',
    ),
    errors: [
      e(
        'EPIPE',
        'The socket can no longer send: you called shutdown(SHUT_WR), or the connection is closed.',
        '套接字不能再发送：你调用过 shutdown(SHUT_WR)，或连接已关闭。',
      ),
      e('ECONNRESET', 'The peer reset the connection (RST).', '对端重置了连接（RST）。'),
      e('ENOTCONN', 'The socket is not connected.', '套接字没有连接。'),
      e(
        'EDESTADDRREQ',
        'UDP: the socket is not connected, so it has no destination; use sendto().',
        'UDP：套接字未连接，因此没有目的地址；请使用 sendto()。',
      ),
      e('EMSGSIZE', 'UDP: the datagram is larger than 65507 bytes (IPv4).', 'UDP：数据报大于 65507 字节（IPv4）。'),
      EAGAIN_NB('the send buffer is full.', '发送缓冲区已满。'),
      EINTR,
      EBADF,
    ],
    note: t(
      'A non-blocking send() returns what the kernel took, which may be fewer bytes than given, as in C; send the rest later.',
      '非阻塞的 send() 返回内核实际接收的字节数，可能少于给出的字节数（与 C 相同）；剩余部分稍后再发送。',
    ),
  },
  recv: {
    call: 'recv',
    signature: 'ssize_t recv(int sockfd, void *buf, size_t len, int flags);',
    header: '<sys/socket.h>',
    summary: t(
      'Takes received bytes (stream) or one datagram from the socket. Blocks until something is there. Returns 0 at end of stream: the peer sent FIN and everything before it was read.',
      '从套接字取出已收到的字节（流）或一个数据报。在有数据之前阻塞。流结束时返回 0：对端发送了 FIN，且之前的数据都已读完。',
    ),
    params: [
      FD,
      p('buf', 'Where to put the bytes.', '存放字节的位置。'),
      p(
        'len',
        'The most bytes to take. A longer datagram is truncated to len (the rest is lost).',
        '最多取出的字节数。更长的数据报会被截断为 len（其余部分丢失）。',
      ),
      FLAGS,
    ],
    returns: t(
      'The number of bytes received; 0 at end of stream (never for UDP unless the datagram is empty); -1 on error.',
      '收到的字节数；流结束时为 0（UDP 仅在数据报为空时为 0）；出错返回 -1。',
    ),
    errors: [
      e('ECONNRESET', 'The peer reset the connection (RST) instead of closing it with FIN.', '对端用 RST 重置了连接，而不是用 FIN 关闭。'),
      e(
        'ECONNREFUSED',
        'Connected UDP: an earlier datagram drew ICMP port unreachable; reported once.',
        '已连接的 UDP：之前的数据报引发了 ICMP 端口不可达；只报告一次。',
      ),
      e('ENOTCONN', 'A stream socket that is not connected.', '流式套接字没有连接。'),
      EAGAIN_NB('nothing has arrived.', '还没有任何数据到达。'),
      EINTR,
      EBADF,
    ],
    note: t(
      'SockLab reads from the kernel only when recv() is called, so an unread socket really fills its receive window.',
      'SockLab 只在调用 recv() 时才从内核读取，因此不读取的套接字确实会填满它的接收窗口。',
    ),
  },
  sendto: {
    call: 'sendto',
    signature: 'ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr, socklen_t addrlen);',
    header: '<sys/socket.h>',
    summary: t(
      'Sends one datagram to the given address (UDP or SOCK_RAW). Each call is one packet on the wire; there is no handshake and no delivery guarantee.',
      '向给定地址发送一个数据报（UDP 或 SOCK_RAW）。每次调用就是线路上的一个报文；没有握手，也不保证送达。',
    ),
    params: [
      FD,
      p(
        'buf',
        'The datagram (for SOCK_RAW with IPPROTO_ICMP: the whole ICMP message, checksum included).',
        '数据报（对于 IPPROTO_ICMP 的 SOCK_RAW：完整的 ICMP 消息，包括校验和）。',
      ),
      p('len', 'Its length.', '它的长度。'),
      FLAGS,
      p('dest_addr', 'Where to send it; may be NULL on a connected socket.', '发送到哪里；已连接的套接字可以为 NULL。'),
      ADDRLEN,
    ],
    returns: t('The number of bytes sent; -1 on error.', '发送的字节数；出错返回 -1。'),
    errors: [
      e('EMSGSIZE', 'The datagram is too large: at most 65507 bytes over IPv4.', '数据报太大：IPv4 上最多 65507 字节。'),
      e('EDESTADDRREQ', 'No address was given and the socket is not connected.', '没有给出地址，且套接字未连接。'),
      e(
        'EISCONN',
        'An address was given on a connected UDP socket (SockLab, like Node, refuses this).',
        '在已连接的 UDP 套接字上给出了地址（SockLab 与 Node 一样拒绝这样做）。',
      ),
      e('EACCES', 'Sending to a broadcast address needs SO_BROADCAST.', '发送到广播地址需要 SO_BROADCAST。'),
      e('ENETUNREACH', 'There is no route to that address.', '没有通往该地址的路由。'),
      EBADF,
    ],
  },
  recvfrom: {
    call: 'recvfrom',
    signature: 'ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr, socklen_t *addrlen);',
    header: '<sys/socket.h>',
    summary: t(
      'Takes one datagram and tells who sent it. Blocks until one arrives. On SOCK_RAW (IPv4) it returns the whole IP packet, header included.',
      '取出一个数据报并告知发送者。在数据报到达之前阻塞。在 SOCK_RAW（IPv4）上，它返回包括首部在内的完整 IP 报文。',
    ),
    params: [
      FD,
      p('buf', 'Where to put the datagram.', '存放数据报的位置。'),
      p('len', 'The most bytes to take; the rest of a longer datagram is lost.', '最多取出的字节数；更长数据报的其余部分会丢失。'),
      FLAGS,
      p('src_addr', "Filled with the sender's address; may be NULL.", '被填入发送者的地址；可以为 NULL。'),
      p('addrlen', 'In: the size of *src_addr; out: the size written.', '输入：*src_addr 的大小；输出：写入的大小。'),
    ],
    returns: t('The number of bytes received; -1 on error.', '收到的字节数；出错返回 -1。'),
    errors: [
      e(
        'ECONNREFUSED',
        'Connected UDP: an earlier datagram drew ICMP port unreachable.',
        '已连接的 UDP：之前的数据报引发了 ICMP 端口不可达。',
      ),
      EAGAIN_NB('no datagram is waiting.', '没有正在等待的数据报。'),
      EINTR,
      EBADF,
    ],
  },
  shutdown: {
    call: 'shutdown',
    signature: 'int shutdown(int sockfd, int how);',
    header: '<sys/socket.h>',
    summary: t(
      'Ends one direction of a connection but keeps the descriptor. SHUT_WR sends FIN at once: the peer reads end of stream (0) yet can still send to you (a half-close).',
      '结束连接的一个方向，但保留描述符。SHUT_WR 立即发送 FIN：对端读到流结束（0），但仍可以向你发送数据（半关闭）。',
    ),
    params: [
      FD,
      p(
        'how',
        'SHUT_RD (stop receiving), SHUT_WR (stop sending: FIN), or SHUT_RDWR (both).',
        'SHUT_RD（停止接收）、SHUT_WR（停止发送：FIN）或 SHUT_RDWR（两者）。',
      ),
    ],
    returns: ZERO_OR_MINUS,
    errors: [
      e('ENOTCONN', 'The socket is not connected.', '套接字没有连接。'),
      e('EINVAL', 'how is not one of SHUT_RD, SHUT_WR, SHUT_RDWR.', 'how 不是 SHUT_RD、SHUT_WR、SHUT_RDWR 之一。'),
      EBADF,
    ],
  },
  close: {
    call: 'close',
    signature: 'int close(int fd);',
    header: '<unistd.h>',
    summary: t(
      'Releases the descriptor. For a connected stream the kernel sends FIN after any unsent data (or RST at once with SO_LINGER {on, 0}, or if received data was left unread). The number can then be reused.',
      '释放描述符。对于已连接的流，内核在发完未发送的数据后发送 FIN（若设置了 SO_LINGER {开, 0}，或仍有未读的接收数据，则立即发送 RST）。此后该编号可以被重用。',
    ),
    params: [p('fd', 'The descriptor to close.', '要关闭的描述符。')],
    returns: ZERO_OR_MINUS,
    errors: [EBADF, EINTR],
  },
  getsockname: {
    call: 'getsockname',
    signature: 'int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen);',
    header: '<sys/socket.h>',
    summary: t(
      'Tells the local address the socket is bound to, e.g. the port the kernel chose for port 0 or for connect().',
      '告知套接字绑定的本地地址，例如内核为端口 0 或 connect() 选择的端口。',
    ),
    params: [
      FD,
      p('addr', 'Filled with the local address.', '被填入本地地址。'),
      p('addrlen', 'In: the size of *addr; out: the size written.', '输入：*addr 的大小；输出：写入的大小。'),
    ],
    returns: ZERO_OR_MINUS,
    errors: [EBADF, ENOTSOCK],
  },
  getpeername: {
    call: 'getpeername',
    signature: 'int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen);',
    header: '<sys/socket.h>',
    summary: t('Tells the address of the peer a socket is connected to.', '告知套接字所连接的对端地址。'),
    params: [
      FD,
      p('addr', "Filled with the peer's address.", '被填入对端地址。'),
      p('addrlen', 'In: the size of *addr; out: the size written.', '输入：*addr 的大小；输出：写入的大小。'),
    ],
    returns: ZERO_OR_MINUS,
    errors: [
      e('ENOTCONN', 'The socket is not connected: connect() (or accept()) first.', '套接字没有连接：请先 connect()（或 accept()）。'),
      EBADF,
    ],
  },
  setsockopt: {
    call: 'setsockopt',
    signature: 'int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);',
    header: '<sys/socket.h>',
    summary: t(
      'Sets an option: SO_REUSEADDR, SO_RCVBUF/SO_SNDBUF (buffer sizes), SO_LINGER (what close() does), SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY (no Nagle delay), IP_TTL, multicast membership.',
      '设置选项：SO_REUSEADDR、SO_RCVBUF/SO_SNDBUF（缓冲区大小）、SO_LINGER（close() 的行为）、SO_KEEPALIVE、SO_BROADCAST、TCP_NODELAY（禁用 Nagle 延迟）、IP_TTL、组播成员关系。',
    ),
    params: [
      FD,
      p(
        'level',
        'Where the option lives: SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP or IPPROTO_IPV6.',
        '选项所在的层：SOL_SOCKET、IPPROTO_TCP、IPPROTO_IP 或 IPPROTO_IPV6。',
      ),
      p('optname', 'The option, e.g. SO_REUSEADDR.', '选项，例如 SO_REUSEADDR。'),
      p(
        'optval',
        'The value: an int (0 off, 1 on, or a size), struct linger { l_onoff, l_linger }, or struct ip_mreq.',
        '值：int（0 关、1 开，或一个大小）、struct linger { l_onoff, l_linger }，或 struct ip_mreq。',
      ),
      p('optlen', 'The size of *optval.', '*optval 的大小。'),
    ],
    returns: ZERO_OR_MINUS,
    errors: [
      e('ENOPROTOOPT', 'The option does not exist at that level for this socket.', '对该套接字而言，该层上不存在这个选项。'),
      e('EINVAL', 'The value is out of range or has the wrong size.', '值超出范围或大小不对。'),
      EBADF,
    ],
    note: t(
      'Linux doubles SO_RCVBUF/SO_SNDBUF for bookkeeping, so getsockopt() reads back twice the value.',
      'Linux 会把 SO_RCVBUF/SO_SNDBUF 加倍用于内部记账，因此 getsockopt() 读回的是两倍的值。',
    ),
  },
  getsockopt: {
    call: 'getsockopt',
    signature: 'int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);',
    header: '<sys/socket.h>',
    summary: t("Reads an option's current value (as the kernel has it).", '读取选项的当前值（以内核中的为准）。'),
    params: [
      FD,
      p('level', 'SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP or IPPROTO_IPV6.', 'SOL_SOCKET、IPPROTO_TCP、IPPROTO_IP 或 IPPROTO_IPV6。'),
      p('optname', 'The option.', '选项。'),
      p('optval', 'Filled with the value.', '被填入值。'),
      p('optlen', 'In: the size of *optval; out: the size written.', '输入：*optval 的大小；输出：写入的大小。'),
    ],
    returns: ZERO_OR_MINUS,
    errors: [e('ENOPROTOOPT', 'The option does not exist at that level for this socket.', '对该套接字而言，该层上不存在这个选项。'), EBADF],
  },
  fcntl: {
    call: 'fcntl',
    signature: 'int fcntl(int fd, int cmd, ... /* int arg */);',
    header: '<fcntl.h>',
    summary: t(
      'F_GETFL reads the descriptor flags; F_SETFL with O_NONBLOCK makes calls that would block answer EAGAIN (or EINPROGRESS for connect) at once.',
      'F_GETFL 读取描述符标志；F_SETFL 设置 O_NONBLOCK 后，本会阻塞的调用立即返回 EAGAIN（connect 则返回 EINPROGRESS）。',
    ),
    params: [
      p('fd', 'The socket descriptor.', '套接字描述符。'),
      p('cmd', 'F_GETFL (read the flags) or F_SETFL (set them).', 'F_GETFL（读取标志）或 F_SETFL（设置标志）。'),
      p('arg', 'For F_SETFL: the new flags, e.g. flags | O_NONBLOCK.', '对于 F_SETFL：新的标志，例如 flags | O_NONBLOCK。'),
    ],
    returns: t('F_GETFL: the flags; F_SETFL: 0; -1 on error.', 'F_GETFL：标志值；F_SETFL：0；出错返回 -1。'),
    errors: [EBADF, e('EINVAL', 'cmd is not supported.', '不支持该 cmd。')],
  },
};

/** The reference of one call (every call in CALL_NAMES has one). */
export function apiReference(call: CallName): ApiEntry {
  return API_REFERENCE[call];
}
