"""Opens N non-blocking TCP connections to 127.0.0.1:PORT from outside the lab and keeps them
open until stdin closes. Used by test/integration/sockets-backlog.test.ts to show that only what
the kernel's accept queue holds reaches the lab."""
import resource
import socket
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held = []
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    held.append(s)
print("ready", flush=True)
sys.stdin.read()
