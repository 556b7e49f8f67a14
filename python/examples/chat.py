#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A chat between two processes: what one types, the other prints,
either way, until one side's input ends.

    chat.py [toy|unix|inet] listen     # the first
    chat.py [toy|unix|inet] connect    # the second

Both wait on their input and the socket at once, with selectors.
"""
import os
import selectors
import socket
import sys

import af_toy


def unix_server(path):
    """create_server() for AF_UNIX, after removing a stale socket file."""
    if os.path.exists(path):
        os.unlink(path)
    return socket.create_server(path, family=socket.AF_UNIX)


def unix_connection(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock


# The one line per family and side that makes the socket.
SOCKETS = {
    ("toy", "listen"): lambda: af_toy.create_server(7002),
    ("toy", "connect"): lambda: af_toy.create_connection(7002),
    ("unix", "listen"): lambda: unix_server("/tmp/chat.sock"),
    ("unix", "connect"): lambda: unix_connection("/tmp/chat.sock"),
    ("inet", "listen"): lambda: socket.create_server(("127.0.0.1", 7002)),
    ("inet", "connect"): lambda: socket.create_connection(("127.0.0.1", 7002)),
}


def chat(sock):
    """Copy stdin to @sock and @sock to stdout until either ends."""
    with selectors.DefaultSelector() as sel:
        sel.register(sys.stdin.fileno(), selectors.EVENT_READ, "in")
        sel.register(sock, selectors.EVENT_READ, "sock")
        while True:
            for key, _ in sel.select():
                if key.data == "in":
                    data = os.read(sys.stdin.fileno(), 4096)
                    if not data:
                        sock.shutdown(socket.SHUT_WR)
                        sel.unregister(sys.stdin.fileno())
                        continue
                    sock.sendall(data)
                else:
                    data = sock.recv(4096)
                    if not data:
                        return
                    sys.stdout.buffer.write(data)
                    sys.stdout.flush()


def main():
    name, side = sys.argv[1], sys.argv[2]
    sock = SOCKETS[(name, side)]()
    if side == "listen":
        with sock:
            sock, _ = sock.accept()
    with sock:
        chat(sock)


if __name__ == "__main__":
    main()
