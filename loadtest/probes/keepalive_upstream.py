#!/usr/bin/env python3
"""An HTTP/1.1 upstream that keeps an idle connection exactly as long as it announces (Keep-Alive: timeout=N) and
then closes it, as Apache's KeepAliveTimeout does. Answers every request 200 "ok" after reading its body.

    keepalive_upstream.py PORT SECONDS
"""
import socket
import sys
import threading

PORT, SECONDS = int(sys.argv[1]), int(sys.argv[2])
ANSWER = b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=%d\r\nContent-Length: 2\r\n\r\nok" % SECONDS


def serve(conn):
    conn.settimeout(SECONDS)  # idle for SECONDS: closed
    buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, _, buf = buf.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            while len(buf) < length:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            buf = buf[length:]
            conn.sendall(ANSWER)
    except socket.timeout:
        pass
    finally:
        conn.close()


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", PORT))
server.listen(64)
while True:
    client, _ = server.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
