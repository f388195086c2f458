/**
 * A program model as a C program a student can read, build and run: POSIX sockets, every call
 * checked and printed as SockLab showed it (`= 0`, or `= -1 ECONNREFUSED (Connection refused)`),
 * the scenario's notes as comments. A call the lab ran in the background (it blocked while later
 * steps went on) runs on its own thread and is joined where the lab awaited it; a step timeout
 * is a timer signal that interrupts the call (EINTR), as the lab's cancel does.
 * Builds with `cc -Wall -Wextra -Werror -pthread`.
 */
import type { AddrExpr, CallOp, FdExpr, NumExpr, Op, Program, StrExpr } from './model';

const INCLUDES = [
  'arpa/inet.h',
  'errno.h',
  'fcntl.h',
  'netinet/in.h',
  'netinet/tcp.h',
  'poll.h',
  'pthread.h',
  'signal.h',
  'stdatomic.h',
  'stdio.h',
  'stdlib.h',
  'string.h',
  'sys/socket.h',
  'sys/time.h',
  'sys/un.h',
  'unistd.h',
];

/** C's spelling of a flag list: `MSG_PEEK | MSG_DONTWAIT`, or 0. */
const flagsC = (flags: string[]): string => (flags.length ? flags.join(' | ') : '0');

/** A C string literal holding exactly these bytes. */
export function cString(bytes: Uint8Array): string {
  let out = '"';
  let lastWasHex = false;
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    let piece: string;
    if (b === 0x5c) piece = '\\\\';
    else if (b === 0x22) piece = '\\"';
    else if (b === 0x0a) piece = '\\n';
    else if (b === 0x0d) piece = '\\r';
    else if (b === 0x09) piece = '\\t';
    else if (b >= 0x20 && b < 0x7f) piece = lastWasHex && /[0-9a-fA-F]/.test(ch) ? `""${ch}` : ch;
    else piece = `\\x${b.toString(16).padStart(2, '0')}`;
    lastWasHex = piece.startsWith('\\x');
    out += piece;
  }
  return `${out}"`;
}

/** The helpers a program uses, each written once. */
const HELPERS: Record<string, string> = {
  report: `/* Prints one call's result as SockLab shows it; keeps errno for the caller. */
static long report(int step, const char *call, long ret)
{
    if (ret < 0) {
        int e = errno;
        printf("[step %d] %s = -1 %s (%s)\\n", step, call, errno_name(e), strerror(e));
        errno = e;
    } else {
        printf("[step %d] %s = %ld\\n", step, call, ret);
    }
    fflush(stdout);
    return ret;
}`,
  errnoName: `/* The errno's name, as SockLab prints it (glibc 2.32+ knows them all). */
static const char *errno_name(int e)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
    const char *name = strerrorname_np(e);
    if (name) return name;
#endif
    static char unknown[16];
    snprintf(unknown, sizeof unknown, "errno %d", e);
    return unknown;
}`,
  showData: `/* Prints received bytes as text, escaping what is not printable. */
static void show_data(const char *buf, long n)
{
    printf("    data: \\"");
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\\n') printf("\\\\n");
        else if (c == '\\r') printf("\\\\r");
        else if (c == '"' || c == '\\\\') printf("\\\\%c", c);
        else if (c >= 32 && c < 127) putchar(c);
        else printf("\\\\x%02x", c);
    }
    printf("\\"\\n");
    fflush(stdout);
}`,
  inet: `/* Fills an IPv4 or IPv6 address (AF_INET/AF_INET6) from text and a port. */
static socklen_t inet_addr_of(struct sockaddr_storage *ss, int family, const char *host, int port)
{
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((unsigned short)port);
        inet_pton(AF_INET6, host, &a->sin6_addr);
        return sizeof *a;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, host, &a->sin_addr);
    return sizeof *a;
}`,
  unix: `/* Fills an AF_UNIX address with a path. */
static socklen_t unix_addr_of(struct sockaddr_storage *ss, const char *path)
{
    struct sockaddr_un *a = (struct sockaddr_un *)ss;
    memset(ss, 0, sizeof *ss);
    a->sun_family = AF_UNIX;
    strncpy(a->sun_path, path, sizeof a->sun_path - 1);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}`,
  port: `/* The port of an IPv4 or IPv6 address. */
static int port_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}`,
  localPort: `/* The local port of a socket (what getsockname() says). */
static int local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return -1;
    return port_of(&ss);
}`,
  showAddr: `/* Prints an address as SockLab does: 127.0.0.1:8080, [::1]:8080 or unix:/path. */
static void show_addr(const char *label, const struct sockaddr_storage *ss)
{
    char host[INET6_ADDRSTRLEN] = "";
    if (ss->ss_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, host, sizeof host);
        printf("    %s: %s:%d\\n", label, host, port_of(ss));
    } else if (ss->ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, host, sizeof host);
        printf("    %s: [%s]:%d\\n", label, host, port_of(ss));
    } else if (ss->ss_family == AF_UNIX) {
        printf("    %s: unix:%s\\n", label, ((const struct sockaddr_un *)ss)->sun_path);
    }
    fflush(stdout);
}`,
  interrupt: `/* A signal that only interrupts: without SA_RESTART a blocked call returns -1 EINTR. */
static void on_interrupt(int signo)
{
    (void)signo;
}

static void install_interrupt(int signo)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(signo, &sa, NULL); /* no SA_RESTART */
}`,
  timer: `/* Interrupts the main thread's call after ms milliseconds (0: disarm), like the lab's timeout. */
static void arm_timeout(int ms)
{
    struct itimerval t;
    memset(&t, 0, sizeof t);
    t.it_value.tv_sec = ms / 1000;
    t.it_value.tv_usec = (ms % 1000) * 1000;
    setitimer(ITIMER_REAL, &t, NULL);
}`,
  sleep: `/* Sleeps ms milliseconds. */
static void sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}`,
};

/** Writes the C program for a model. */
export function writeC(program: Program): string {
  return new CWriter(program).write();
}

class CWriter {
  private readonly used = new Set<string>(['report', 'errnoName']);
  private readonly threads: { step: number; body: string[] }[] = [];

  constructor(private readonly program: Program) {}

  write(): string {
    const main = this.program.ops.flatMap((op) => this.op(op));
    const p = this.program;
    const header = [
      '/*',
      ` * ${p.name} — exported from SockLab (${p.source}).`,
      ...(p.description ? wrap(p.description.trim(), 92).map((l) => ` * ${l}`) : []),
      ' *',
      ' * Build: cc -Wall -Wextra -o program program.c -pthread',
      ' * Run:   ./program',
      ' * Each call prints what it returned, as SockLab showed it: "= 0", or "= -1 ECONNREFUSED (...)".',
      ...(this.threads.length
        ? [
            ' * Calls that blocked in the lab while later steps went on (background steps) run on their',
            ' * own thread here, started where the lab started them and joined where the lab awaited them.',
          ]
        : []),
      ' */',
      '#define _GNU_SOURCE',
      ...INCLUDES.map((h) => `#include <${h}>`),
      '#include <stddef.h>',
      '',
    ];
    const globals = [
      ...p.sockets.map((s) => `static int ${ident(s)} = -1;`),
      ...p.slots.map((s) => `static struct sockaddr_storage ${ident(s)};`),
      ...(p.usesTmp ? ['static char tmp[64] = "/tmp/socklab-XXXXXX";'] : []),
      ...this.threads.flatMap((t) => [
        `static pthread_t thread_${t.step};`,
        `static atomic_int done_${t.step}; /* set when step ${t.step}'s call has answered */`,
      ]),
    ];
    const helpers = ['errnoName', 'report', 'showData', 'inet', 'unix', 'port', 'localPort', 'showAddr', 'interrupt', 'timer', 'sleep']
      .filter((h) => this.used.has(h))
      .map((h) => HELPERS[h]);
    const threadFns = this.threads.map((t) =>
      [
        `/* Step ${t.step}, run in the background as in the lab. */`,
        `static void *step_${t.step}(void *arg)`,
        '{',
        '    (void)arg;',
        ...t.body.map((l) => `    ${l}`),
        `    atomic_store(&done_${t.step}, 1);`,
        '    return NULL;',
        '}',
      ].join('\n'),
    );
    const sends = p.ops.some((op) => op.kind === 'call' && (op.op.call === 'send' || op.op.call === 'sendto'));
    const setup = [
      ...(sends
        ? [
            '/* As in SockLab (and most servers), a send on a closed connection returns -1 EPIPE',
            ' * instead of the SIGPIPE that would end the program. */',
            'signal(SIGPIPE, SIG_IGN);',
          ]
        : []),
      ...(this.used.has('interrupt') ? ['install_interrupt(SIGALRM);', 'install_interrupt(SIGUSR1);'] : []),
      ...(p.usesTmp ? ['if (!mkdtemp(tmp)) { perror("mkdtemp"); return 1; }'] : []),
    ];
    return [
      ...header,
      ...(globals.length ? [...globals, ''] : []),
      helpers.join('\n\n'),
      '',
      ...threadFns.flatMap((f) => [f, '']),
      'int main(void)',
      '{',
      ...[...setup, ...main].map((l) => (l ? `    ${l}` : '')),
      '    return 0;',
      '}',
      '',
    ].join('\n');
  }

  private op(op: Op): string[] {
    const note = op.note ? wrap(op.note, 88).map((l, i) => (i === 0 ? `/* ${l}` : ` * ${l}`)) : [];
    const comment = note.length ? [...note.slice(0, -1), `${note.at(-1)} */`] : [];
    switch (op.kind) {
      case 'sleep':
        this.used.add('sleep');
        return ['', ...comment, `sleep_ms(${op.ms}); /* step ${op.step} */`];
      case 'wait': {
        if (op.until === 'readable') {
          return [
            '',
            ...comment,
            `/* Step ${op.step}: wait until ${op.what} (the socket becomes readable). */`,
            `{`,
            `    struct pollfd p = { .fd = ${this.fd(op.fd)}, .events = POLLIN };`,
            `    poll(&p, 1, ${op.timeoutMs});`,
            `}`,
          ];
        }
        this.used.add('sleep');
        return [
          '',
          ...comment,
          `/* Step ${op.step}: the lab waited until ${op.what}; a program can only give it a moment. */`,
          'sleep_ms(100);',
        ];
      }
      case 'await':
        return [
          '',
          ...comment,
          `pthread_join(thread_${op.target}, NULL); /* step ${op.step}: the background call of step ${op.target} has answered */`,
        ];
      case 'cancel':
        this.used.add('interrupt');
        this.used.add('sleep');
        return [
          '',
          ...comment,
          `/* Step ${op.step}: interrupt the call of step ${op.target} on ${op.sock} (SIGUSR1 without SA_RESTART: EINTR).`,
          ' * Signalled until it answers, in case it had not blocked yet. */',
          `while (!atomic_load(&done_${op.target})) {`,
          `    pthread_kill(thread_${op.target}, SIGUSR1);`,
          '    sleep_ms(10);',
          '}',
          `printf("[step ${op.step}] cancel = 1\\n");`,
        ];
      case 'call': {
        const lines = this.call(op.step, op.op);
        const expect = op.expect ? [`/* SockLab expected: ${op.expect.replace(/\*\//g, '* /')} */`] : [];
        const timed = op.timeoutMs !== null && !op.background;
        if (timed) this.used.add('interrupt').add('timer');
        const body = timed
          ? [`arm_timeout(${op.timeoutMs}); /* the lab cancels the call after ${op.timeoutMs} ms: EINTR */`, ...lines, 'arm_timeout(0);']
          : lines;
        if (op.background) {
          this.threads.push({
            step: op.step,
            body: [
              'sigset_t block;',
              'sigemptyset(&block);',
              'sigaddset(&block, SIGALRM);',
              'pthread_sigmask(SIG_BLOCK, &block, NULL); /* timeouts are for the main thread */',
              ...body,
            ],
          });
          return [
            '',
            ...comment,
            ...expect,
            `pthread_create(&thread_${op.step}, NULL, step_${op.step}, NULL); /* step ${op.step}, in the background */`,
          ];
        }
        return ['', ...comment, ...expect, ...body];
      }
    }
  }

  private fd(fd: FdExpr): string {
    return fd.kind === 'sock' ? ident(fd.sock) : String(fd.value);
  }

  private num(n: NumExpr): string {
    switch (n.kind) {
      case 'lit':
        return String(n.value);
      case 'sockPort':
        this.used.add('localPort').add('port');
        return `local_port(${ident(n.sock)})`;
      case 'slotPort':
        this.used.add('port');
        return `port_of(&${ident(n.slot)})`;
    }
  }

  private str(s: StrExpr): { decl: string[]; expr: string } {
    if (s.every((p) => 'lit' in p)) return { decl: [], expr: cString(Buffer.from(s.map((p) => ('lit' in p ? p.lit : '')).join(''))) };
    const format = s.map((p) => ('lit' in p ? p.lit.replace(/%/g, '%%') : '%s')).join('');
    const args = s.filter((p) => 'tmp' in p).map(() => 'tmp');
    return { decl: ['char path[108];', `snprintf(path, sizeof path, ${cString(Buffer.from(format))}, ${args.join(', ')});`], expr: 'path' };
  }

  /** Lines that fill `struct sockaddr_storage addr` and `socklen_t addrlen`. */
  private addr(a: AddrExpr): string[] {
    switch (a.kind) {
      case 'inet':
        this.used.add('inet');
        return [`socklen_t addrlen = inet_addr_of(&addr, ${a.family}, ${cString(Buffer.from(a.host))}, ${this.num(a.port)});`];
      case 'unix': {
        this.used.add('unix');
        const path = this.str(a.path);
        return [...path.decl, `socklen_t addrlen = unix_addr_of(&addr, ${path.expr});`];
      }
      case 'sockLocal':
        return [`socklen_t addrlen = sizeof addr;`, `getsockname(${ident(a.sock)}, (struct sockaddr *)&addr, &addrlen);`];
      case 'slot':
        return [`memcpy(&addr, &${ident(a.slot)}, sizeof addr);`, 'socklen_t addrlen = sizeof addr;'];
    }
  }

  private call(step: number, op: CallOp): string[] {
    const r = (name: string, expr: string) => `report(${step}, "${name}", ${expr})`;
    const block = (lines: string[]) => ['{', ...lines.map((l) => `    ${l}`), '}'];
    switch (op.call) {
      case 'socket': {
        const expr = r('socket', `socket(${op.domain}, ${op.type}, ${op.protocol === 'IPPROTO_IP' ? '0' : op.protocol})`);
        return [op.as ? `${ident(op.as)} = (int)${expr};` : `${expr};`];
      }
      case 'bind':
      case 'connect':
        return block([
          'struct sockaddr_storage addr;',
          ...this.addr(op.address),
          `${r(op.call, `${op.call}(${this.fd(op.fd)}, (struct sockaddr *)&addr, addrlen)`)};`,
        ]);
      case 'listen':
        return [`${r('listen', `listen(${this.fd(op.fd)}, ${op.backlog})`)};`];
      case 'accept': {
        const slot = op.peerSlot ? ident(op.peerSlot) : null;
        const call = slot ? `accept(${this.fd(op.fd)}, (struct sockaddr *)&${slot}, &len)` : `accept(${this.fd(op.fd)}, NULL, NULL)`;
        const assign = op.as ? `${ident(op.as)} = (int)` : '';
        if (!slot) return [`${assign}${r('accept', call)};`];
        this.used.add('showAddr').add('port');
        return block([`socklen_t len = sizeof ${slot};`, `${assign}${r('accept', call)};`, `if (len > 0) show_addr("peer", &${slot});`]);
      }
      case 'send':
      case 'sendto': {
        const data = op.data.length > 4096 ? this.bigData(op.data) : { decl: [], expr: cString(op.data) };
        if (op.call === 'send' || !op.address) {
          const call =
            op.call === 'send'
              ? `send(${this.fd(op.fd)}, ${data.expr}, ${op.data.length}, ${flagsC(op.flags)})`
              : `sendto(${this.fd(op.fd)}, ${data.expr}, ${op.data.length}, ${flagsC(op.flags)}, NULL, 0)`;
          return data.decl.length ? block([...data.decl, `${r(op.call, call)};`]) : [`${r(op.call, call)};`];
        }
        return block([
          ...data.decl,
          'struct sockaddr_storage addr;',
          ...this.addr(op.address),
          `${r('sendto', `sendto(${this.fd(op.fd)}, ${data.expr}, ${op.data.length}, ${flagsC(op.flags)}, (struct sockaddr *)&addr, addrlen)`)};`,
        ]);
      }
      case 'recv':
      case 'recvfrom': {
        this.used.add('showData');
        const buf = op.maxBytes > 65536 ? `static char buf[${op.maxBytes}];` : `char buf[${Math.max(op.maxBytes, 1)}];`;
        if (op.call === 'recv') {
          return block([
            buf,
            `long n = ${r('recv', `recv(${this.fd(op.fd)}, buf, ${op.maxBytes}, ${flagsC(op.flags)})`)};`,
            'if (n > 0) show_data(buf, n);',
          ]);
        }
        this.used.add('showAddr').add('port');
        const from = op.fromSlot ? ident(op.fromSlot) : 'from';
        return block([
          buf,
          ...(op.fromSlot ? [] : ['struct sockaddr_storage from;']),
          `socklen_t fromlen = sizeof ${from};`,
          `long n = ${r('recvfrom', `recvfrom(${this.fd(op.fd)}, buf, ${op.maxBytes}, ${flagsC(op.flags)}, (struct sockaddr *)&${from}, &fromlen)`)};`,
          'if (n >= 0) {',
          '    show_data(buf, n);',
          `    show_addr("from", &${from});`,
          '}',
        ]);
      }
      case 'shutdown':
        return [`${r('shutdown', `shutdown(${this.fd(op.fd)}, ${op.how})`)};`];
      case 'close':
        return [`${r('close', `close(${this.fd(op.fd)})`)};`];
      case 'getsockname':
      case 'getpeername': {
        this.used.add('showAddr').add('port');
        const target = op.slot ? `&${ident(op.slot)}` : '&addr';
        return block([
          ...(op.slot ? [] : ['struct sockaddr_storage addr;']),
          `socklen_t len = sizeof(struct sockaddr_storage);`,
          `if (${r(op.call, `${op.call}(${this.fd(op.fd)}, (struct sockaddr *)${target}, &len)`)} == 0) show_addr("address", ${target});`,
        ]);
      }
      case 'setsockopt': {
        const v = op.value;
        const decl =
          v.kind === 'int'
            ? `int value = ${v.value};`
            : v.kind === 'linger'
              ? `struct linger value = { .l_onoff = ${v.onoff ? 1 : 0}, .l_linger = ${v.linger} };`
              : `struct ip_mreq value;\n    inet_pton(AF_INET, ${cString(Buffer.from(v.multiaddr))}, &value.imr_multiaddr);\n    inet_pton(AF_INET, ${cString(Buffer.from(v.iface))}, &value.imr_interface);`;
        return block([decl, `${r('setsockopt', `setsockopt(${this.fd(op.fd)}, ${op.level}, ${op.option}, &value, sizeof value)`)};`]);
      }
      case 'getsockopt': {
        if (op.linger) {
          return block([
            'struct linger value;',
            'socklen_t len = sizeof value;',
            `if (${r('getsockopt', `getsockopt(${this.fd(op.fd)}, ${op.level}, ${op.option}, &value, &len)`)} == 0)`,
            '    printf("    value: { onoff: %d, linger: %d }\\n", value.l_onoff, value.l_linger);',
          ]);
        }
        return block([
          'int value = 0;',
          'socklen_t len = sizeof value;',
          `if (${r('getsockopt', `getsockopt(${this.fd(op.fd)}, ${op.level}, ${op.option}, &value, &len)`)} == 0)`,
          '    printf("    value: %d\\n", value);',
        ]);
      }
      case 'fcntl': {
        const fd = this.fd(op.fd);
        if (op.nonblock === null) return [`${r('fcntl', `fcntl(${fd}, F_GETFL)`)};`];
        const flags = op.nonblock ? 'flags | O_NONBLOCK' : 'flags & ~O_NONBLOCK';
        return block([`int flags = fcntl(${fd}, F_GETFL);`, `${r('fcntl', `fcntl(${fd}, F_SETFL, ${flags})`)};`]);
      }
    }
  }

  /** A large payload (repeat:) built at run time instead of a huge literal. */
  private bigData(data: Uint8Array): { decl: string[]; expr: string } {
    const period = findPeriod(data);
    const unit = data.subarray(0, period);
    return {
      decl: [
        `static char data[${data.length}];`,
        `for (size_t i = 0; i < sizeof data; i += ${period}) memcpy(data + i, ${cString(unit)}, ${period});`,
      ],
      expr: 'data',
    };
  }
}

/** The length of the shortest unit whose repetition makes `data` (repeat: payloads). */
function findPeriod(data: Uint8Array): number {
  for (let p = 1; p <= Math.min(4096, data.length); p++) {
    if (data.length % p !== 0) continue;
    let ok = true;
    for (let i = p; i < data.length && ok; i++) ok = data[i] === data[i - p];
    if (ok) return p;
  }
  return data.length;
}

/** A C identifier for a scenario name (names may hold '-'). */
export function ident(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Splits text into lines of at most `width` characters, at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
