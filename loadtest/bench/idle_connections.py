#!/usr/bin/env python3
"""Opens N keep-alive connections to 127.0.0.1:PORT, sends one GET /x on each (500 at a time) and holds them all
idle for HOLD seconds, so the proxy's memory per idle connection can be read meanwhile (VmRSS, jcmd
GC.class_histogram). Usage: idle_connections.py N PORT HOLD. Stays under this machine's open-file limit (20000)."""
import socket
import sys
import time

n, port, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks, ok = [], 0
start = time.time()


def read_head(s):
    s.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
    socks.append(s)
    if len(socks) % 500 == 0 or i == n - 1:
        for q in socks[(len(socks) - 1) // 500 * 500:]:
            ok += read_head(q).startswith(b"HTTP/1.1 200")
print("answered", ok, "of", n, "in", round(time.time() - start, 1), "s", flush=True)
time.sleep(hold)
