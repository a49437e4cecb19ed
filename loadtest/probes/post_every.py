#!/usr/bin/env python3
"""Sends COUNT POSTs on one kept-alive connection, one every INTERVAL seconds (plus or minus JITTER, seeded), and
prints how many got each status, e.g. {'200': 43, '502': 7}.

    post_every.py PORT COUNT INTERVAL JITTER SEED
"""
import random
import socket
import sys
import time

port, count, interval, jitter, seed = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
random.seed(seed)
statuses = {}
conn = socket.create_connection(("127.0.0.1", port))
for _ in range(count):
    time.sleep(interval + random.uniform(-jitter, jitter))
    conn.sendall(b"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise SystemExit("the proxy closed the connection")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ")[1].decode()
    length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length"))
    while len(body) < length:
        body += conn.recv(4096)
    statuses[status] = statuses.get(status, 0) + 1
print(statuses)
