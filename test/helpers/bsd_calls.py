"""Runs a list of BSD socket calls through Python's socket module (the C API underneath) and
prints one JSON object per call: {"ret": ..., "errno": name|null}. Used by
test/integration/python-compare.test.ts to compare the lab with C on Linux.

Input (stdin): a JSON list of steps, e.g. {"op": "bind", "sock": "a", "addr": {...}}.
An address is {"family": "AF_INET", "address": "127.0.0.1", "port": 0 | "$a"} ("$a": the port
socket a is bound to) or {"family": "AF_UNIX", "path": "..."}. When an address does not fit
the socket (wrong family, path too long) Python cannot even build it, so the call goes to
libc directly through ctypes with the raw sockaddr, exactly as a C program would.
"""
import ctypes
import errno
import json
import socket
import struct
import sys
import time

libc = ctypes.CDLL("libc.so.6", use_errno=True)
FAMILIES = {"AF_INET": socket.AF_INET, "AF_INET6": socket.AF_INET6, "AF_UNIX": socket.AF_UNIX}
TYPES = {"SOCK_STREAM": socket.SOCK_STREAM, "SOCK_DGRAM": socket.SOCK_DGRAM}
SHUT = {"SHUT_RD": socket.SHUT_RD, "SHUT_WR": socket.SHUT_WR, "SHUT_RDWR": socket.SHUT_RDWR}
OPTIONS = {
    "SO_REUSEADDR": (socket.SOL_SOCKET, socket.SO_REUSEADDR),
    "SO_BROADCAST": (socket.SOL_SOCKET, socket.SO_BROADCAST),
    "SO_KEEPALIVE": (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
    "SO_RCVBUF": (socket.SOL_SOCKET, socket.SO_RCVBUF),
    "SO_SNDBUF": (socket.SOL_SOCKET, socket.SO_SNDBUF),
    "TCP_NODELAY": (socket.IPPROTO_TCP, socket.TCP_NODELAY),
    "IP_TTL": (socket.IPPROTO_IP, socket.IP_TTL),
    "IP_MULTICAST_TTL": (socket.IPPROTO_IP, socket.IP_MULTICAST_TTL),
    "IP_ADD_MEMBERSHIP": (socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP),
    "SO_LINGER": (socket.SOL_SOCKET, socket.SO_LINGER),
}
MSG_FLAGS = {"MSG_PEEK": socket.MSG_PEEK, "MSG_DONTWAIT": socket.MSG_DONTWAIT, "MSG_WAITALL": socket.MSG_WAITALL}

socks = {}


def resolve(addr):
    if addr["family"] == "AF_UNIX":
        return addr["path"]
    port = addr["port"]
    if isinstance(port, str):
        port = socks[port[1:]].getsockname()[1]
    return (addr["address"], port)


def raw_sockaddr(addr):
    """The C sockaddr bytes for an address, built by hand (no checks, as C allows)."""
    if addr["family"] == "AF_UNIX":
        return struct.pack("<H", socket.AF_UNIX) + addr["path"].encode() + b"\0"
    host, port = resolve(addr)
    if addr["family"] == "AF_INET":
        return struct.pack("<H", socket.AF_INET) + struct.pack(">H", port) + socket.inet_pton(socket.AF_INET, host) + b"\0" * 8
    return struct.pack("<H", socket.AF_INET6) + struct.pack(">H", port) + b"\0" * 4 + socket.inet_pton(socket.AF_INET6, host) + b"\0" * 4


def fits(sock, addr):
    if FAMILIES[addr["family"]] != sock.family:
        return False
    return addr["family"] != "AF_UNIX" or len(addr["path"].encode()) <= 107


def via_libc(fn, sock, addr):
    raw = raw_sockaddr(addr)
    if getattr(libc, fn)(sock.fileno(), raw, len(raw)) == 0:
        return 0
    raise OSError(ctypes.get_errno(), "libc " + fn)


def run(step):
    op = step["op"]
    name = step.get("sock")
    s = socks.get(name)
    if op == "socket":
        socks[name] = socket.socket(FAMILIES[step["domain"]], TYPES[step["type"]])
        return "fd"
    if op in ("bind", "connect"):
        if not fits(s, step["addr"]):
            return via_libc(op, s, step["addr"])
        getattr(s, op)(resolve(step["addr"]))
        return 0
    if op == "listen":
        s.listen(step.get("backlog", 1))
        return 0
    if op == "accept":
        conn, _ = s.accept()
        socks[step["as"]] = conn
        return "fd"
    if op == "send":
        return s.send(b"x" * step["length"])
    if op == "sendto":
        return s.sendto(b"x" * step["length"], resolve(step["addr"]))
    if op == "recv":
        flags = 0
        for flag in step.get("flags", []):
            flags |= MSG_FLAGS[flag]
        return len(s.recv(step["maxBytes"], flags))
    if op == "sleep":
        time.sleep(step["ms"] / 1000)
        return 0
    if op == "shutdown":
        s.shutdown(SHUT[step["how"]])
        return 0
    if op == "close":
        s.close()
        return 0
    if op == "nonblock":
        s.setblocking(False)
        return 0
    if op == "getsockname":
        name_ = s.getsockname()
        return {"ret": 0, "portAssigned": isinstance(name_, tuple) and name_[1] > 0}
    if op == "getpeername":
        s.getpeername()
        return 0
    if op == "setsockopt":
        level, opt = OPTIONS[step["option"]]
        value = step["value"]
        if isinstance(value, dict) and "onoff" in value:
            value = struct.pack("ii", 1 if value["onoff"] else 0, value["linger"])
        elif isinstance(value, dict):
            value = socket.inet_aton(value["multiaddr"]) + socket.inet_aton(value["interface"])
        s.setsockopt(level, opt, value)
        return 0
    if op == "getsockopt":
        level, opt = OPTIONS[step["option"]]
        return {"ret": 0, "value": s.getsockopt(level, opt)}
    raise ValueError("unknown op " + op)


def main():
    for step in json.load(sys.stdin):
        try:
            value = run(step)
            out = value if isinstance(value, dict) else {"ret": value}
            out["errno"] = None
        except OSError as e:
            name = errno.errorcode.get(e.errno) if e.errno else None
            if name == "ENOTSUP":
                name = "EOPNOTSUPP"
            out = {"ret": -1, "errno": name, "message": str(e)}
        print(json.dumps(out), flush=True)


main()
