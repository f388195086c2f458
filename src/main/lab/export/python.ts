/**
 * A program model as a Python program (the `socket` module): every call wrapped in `report()`,
 * which prints what C would have returned (the descriptor, the byte count, 0, or -1 with the
 * errno name), so the program's output reads like SockLab's call log. Background calls run on
 * threads joined where the lab awaited them; a step timeout is a timer signal whose handler
 * raises InterruptedError (EINTR), as the lab's cancel gives. Python cannot interrupt a call
 * blocked on another thread (it retries it, PEP 475), so `cancel:` steps are not exported.
 */
import { ExportError, type AddrExpr, type CallOp, type FdExpr, type NumExpr, type Op, type Program, type StrExpr } from './model';
import { ident, wrap } from './c';

/** A Python bytes literal holding exactly these bytes. */
export function pyBytes(bytes: Uint8Array): string {
  let out = "b'";
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

const pyStr = (text: string): string => JSON.stringify(text);
const flagsPy = (flags: string[]): string => (flags.length ? flags.map((f) => `socket.${f}`).join(' | ') : '0');

const PRELUDE = `import errno
import os
import select
import signal
import socket
import struct
import tempfile
import threading
import time


def report(step, call, fn, c_ret=None):
    """Runs one call and prints what C would return: a value, or -1 and the errno's name."""
    try:
        result = fn()
    except OSError as e:
        name = errno.errorcode.get(e.errno, f"errno {e.errno}")
        print(f"[step {step}] {call} = -1 {name} ({os.strerror(e.errno)})", flush=True)
        return None
    print(f"[step {step}] {call} = {c_ret(result) if c_ret else c_value(result)}", flush=True)
    return result


def c_value(result):
    """What the C call returns for Python's answer: fd for sockets, length for data, else 0."""
    if isinstance(result, socket.socket):
        return result.fileno()
    if isinstance(result, tuple) and result and isinstance(result[0], socket.socket):
        return result[0].fileno()
    if isinstance(result, tuple) and result and isinstance(result[0], bytes):
        return len(result[0])
    if isinstance(result, bytes):
        return len(result)
    if isinstance(result, int):
        return result
    return 0


def show(label, value):
    print(f"    {label}: {value}", flush=True)


def interrupt(signum, frame):
    """The lab cancels a call still blocked at its timeout: EINTR."""
    raise InterruptedError(errno.EINTR, os.strerror(errno.EINTR))


def port_of(address):
    return address[1]
`;

/** Writes the Python program for a model. */
export function writePython(program: Program): string {
  return new PyWriter(program).write();
}

class PyWriter {
  private readonly threads: { step: number; body: string[] }[] = [];

  constructor(private readonly program: Program) {}

  write(): string {
    const p = this.program;
    const main = p.ops.flatMap((op) => this.op(op));
    const doc = [
      `${p.name} — exported from SockLab (${p.source}).`,
      '',
      ...(p.description ? wrap(p.description.trim(), 92) : []),
      '',
      'Run: python3 program.py',
      'Each call prints what it returned, as SockLab showed it: "= 0", or "= -1 ECONNREFUSED (...)".',
    ];
    const globals = [...p.sockets.map(ident), ...p.slots.map(ident)];
    const threadFns = this.threads.map((t) =>
      [
        `def step_${t.step}():`,
        `    """Step ${t.step}, run in the background as in the lab."""`,
        ...(globals.length ? [`    global ${globals.join(', ')}`] : []),
        ...t.body.map((l) => `    ${l}`),
      ].join('\n'),
    );
    const body = [
      ...(globals.length ? [`global ${globals.join(', ')}`] : []),
      'signal.signal(signal.SIGALRM, interrupt)',
      ...(p.usesTmp ? ["tmp = tempfile.mkdtemp(prefix='socklab-')"] : []),
      ...main,
    ];
    return [
      '#!/usr/bin/env python3',
      `"""${doc.join('\n').replace(/"""/g, "'''")}\n"""`,
      PRELUDE,
      ...globals.map((g) => `${g} = None`),
      '',
      ...threadFns.flatMap((f) => ['', f, '']),
      '',
      'def main():',
      ...body.map((l) => (l ? `    ${l}` : '')),
      '',
      '',
      "if __name__ == '__main__':",
      '    main()',
      '',
    ].join('\n');
  }

  private op(op: Op): string[] {
    const comment = op.note ? wrap(op.note, 88).map((l) => `# ${l}`) : [];
    switch (op.kind) {
      case 'sleep':
        return ['', ...comment, `time.sleep(${op.ms / 1000})  # step ${op.step}`];
      case 'wait':
        if (op.until === 'readable') {
          return [
            '',
            ...comment,
            `# Step ${op.step}: wait until ${op.what} (the socket becomes readable).`,
            `select.select([${this.fd(op.fd)}], [], [], ${op.timeoutMs / 1000})`,
          ];
        }
        return [
          '',
          ...comment,
          `# Step ${op.step}: the lab waited until ${op.what}; a program can only give it a moment.`,
          'time.sleep(0.1)',
        ];
      case 'await':
        return ['', ...comment, `thread_${op.target}.join()  # step ${op.step}: the background call of step ${op.target} has answered`];
      case 'cancel':
        throw new ExportError(
          `step ${op.step}: Python cannot interrupt a call blocked on another thread (it retries it after a signal, PEP 475); export this scenario to C`,
        );
      case 'call': {
        const lines = this.call(op.step, op.op);
        const expect = op.expect ? [`# SockLab expected: ${op.expect}`] : [];
        const timeoutMs = op.background ? null : op.timeoutMs;
        const body =
          timeoutMs !== null
            ? [
                `signal.setitimer(signal.ITIMER_REAL, ${timeoutMs / 1000})  # the lab cancels the call after ${timeoutMs} ms: EINTR`,
                ...lines,
                'signal.setitimer(signal.ITIMER_REAL, 0)',
              ]
            : lines;
        if (op.background) {
          this.threads.push({ step: op.step, body });
          return [
            '',
            ...comment,
            ...expect,
            `thread_${op.step} = threading.Thread(target=step_${op.step})  # step ${op.step}, in the background`,
            `thread_${op.step}.start()`,
          ];
        }
        return ['', ...comment, ...expect, ...body];
      }
    }
  }

  private fd(fd: FdExpr): string {
    return fd.kind === 'sock' ? ident(fd.sock) : `socket.socket(fileno=${fd.value})`;
  }

  private num(n: NumExpr): string {
    switch (n.kind) {
      case 'lit':
        return String(n.value);
      case 'sockPort':
        return `${ident(n.sock)}.getsockname()[1]`;
      case 'slotPort':
        return `port_of(${ident(n.slot)})`;
    }
  }

  private str(s: StrExpr): string {
    if (s.every((p) => 'lit' in p)) return pyStr(s.map((p) => ('lit' in p ? p.lit : '')).join(''));
    return `f${pyStr(s.map((p) => ('lit' in p ? p.lit.replace(/[{}]/g, (c) => c + c) : '{tmp}')).join(''))}`;
  }

  private addr(a: AddrExpr): string {
    switch (a.kind) {
      case 'inet':
        return a.family === 'AF_INET6' ? `(${pyStr(a.host)}, ${this.num(a.port)}, 0, 0)` : `(${pyStr(a.host)}, ${this.num(a.port)})`;
      case 'unix':
        return this.str(a.path);
      case 'sockLocal':
        return `${ident(a.sock)}.getsockname()`;
      case 'slot':
        return ident(a.slot);
    }
  }

  private call(step: number, op: CallOp): string[] {
    const r = (name: string, expr: string) => `report(${step}, ${pyStr(name)}, lambda: ${expr})`;
    switch (op.call) {
      case 'socket': {
        const proto = op.protocol === 'IPPROTO_IP' ? '0' : `socket.${op.protocol}`;
        const expr = r('socket', `socket.socket(socket.${op.domain}, socket.${op.type}, ${proto})`);
        return [op.as ? `${ident(op.as)} = ${expr}` : expr];
      }
      case 'bind':
      case 'connect':
        return [r(op.call, `${this.fd(op.fd)}.${op.call}(${this.addr(op.address)})`)];
      case 'listen':
        return [r('listen', `${this.fd(op.fd)}.listen(${op.backlog})`)];
      case 'accept': {
        const lines = [`accepted = ${r('accept', `${this.fd(op.fd)}.accept()`)}`];
        if (op.as) lines.push(`${ident(op.as)} = accepted[0] if accepted else None`);
        if (op.peerSlot) lines.push(`${ident(op.peerSlot)} = accepted[1] if accepted else None`);
        lines.push('if accepted:', "    show('peer', accepted[1])");
        return lines;
      }
      case 'send':
        return [r('send', `${this.fd(op.fd)}.send(${this.data(op.data)}, ${flagsPy(op.flags)})`)];
      case 'sendto':
        return op.address
          ? [r('sendto', `${this.fd(op.fd)}.sendto(${this.data(op.data)}, ${flagsPy(op.flags)}, ${this.addr(op.address)})`)]
          : [r('sendto', `${this.fd(op.fd)}.send(${this.data(op.data)}, ${flagsPy(op.flags)})`)];
      case 'recv':
        return [
          `data = ${r('recv', `${this.fd(op.fd)}.recv(${op.maxBytes}, ${flagsPy(op.flags)})`)}`,
          'if data:',
          "    show('data', data)",
        ];
      case 'recvfrom': {
        const lines = [
          `received = ${r('recvfrom', `${this.fd(op.fd)}.recvfrom(${op.maxBytes}, ${flagsPy(op.flags)})`)}`,
          'if received is not None:',
          "    show('data', received[0])",
          "    show('from', received[1])",
        ];
        if (op.fromSlot) lines.push(`    ${ident(op.fromSlot)} = received[1]`);
        return lines;
      }
      case 'shutdown':
        return [r('shutdown', `${this.fd(op.fd)}.shutdown(socket.${op.how})`)];
      case 'close':
        return [r('close', `${this.fd(op.fd)}.close()`)];
      case 'getsockname':
      case 'getpeername': {
        const target = op.slot ? ident(op.slot) : 'address';
        return [
          `${target} = ${r(op.call, `${this.fd(op.fd)}.${op.call}()`)}`,
          `if ${target} is not None:`,
          `    show('address', ${target})`,
        ];
      }
      case 'setsockopt': {
        const v = op.value;
        const value =
          v.kind === 'int'
            ? String(v.value)
            : v.kind === 'linger'
              ? `struct.pack('ii', ${v.onoff ? 1 : 0}, ${v.linger})`
              : `socket.inet_aton(${pyStr(v.multiaddr)}) + socket.inet_aton(${pyStr(v.iface)})`;
        return [r('setsockopt', `${this.fd(op.fd)}.setsockopt(socket.${op.level}, socket.${op.option}, ${value})`)];
      }
      case 'getsockopt':
        if (op.linger) {
          return [
            `value = ${r('getsockopt', `${this.fd(op.fd)}.getsockopt(socket.${op.level}, socket.${op.option}, 8)`).replace(/\)$/, ', lambda _: 0)')}`,
            'if value is not None:',
            "    show('value', dict(zip(('onoff', 'linger'), struct.unpack('ii', value))))",
          ];
        }
        return [
          `value = ${r('getsockopt', `${this.fd(op.fd)}.getsockopt(socket.${op.level}, socket.${op.option})`).replace(/\)$/, ', lambda _: 0)')}`,
          'if value is not None:',
          "    show('value', value)",
        ];
      case 'fcntl':
        if (op.nonblock === null) return [r('fcntl', `__import__('fcntl').fcntl(${this.fd(op.fd)}, __import__('fcntl').F_GETFL)`)];
        return [r('fcntl', `${this.fd(op.fd)}.setblocking(${op.nonblock ? 'False' : 'True'})`)];
    }
  }

  private data(bytes: Uint8Array): string {
    if (bytes.length <= 4096) return pyBytes(bytes);
    for (let p = 1; p <= 4096; p++) {
      if (bytes.length % p !== 0) continue;
      let ok = true;
      for (let i = p; i < bytes.length && ok; i++) ok = bytes[i] === bytes[i - p];
      if (ok) return `${pyBytes(bytes.subarray(0, p))} * ${bytes.length / p}`;
    }
    return pyBytes(bytes);
  }
}
