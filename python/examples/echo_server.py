#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TCP-style echo server: every byte a client sends comes back.

    echo_server.py [toy|unix|inet] [--once]

The family is the only thing that changes, and only in the line that
makes the listening socket (SERVERS below); the rest is plain socket
module code. --once serves one client, then exits.
"""
import os
import socket
import sys

import af_toy


def unix_server(path):
    """create_server() for AF_UNIX, after removing a stale socket file."""
    if os.path.exists(path):
        os.unlink(path)
    return socket.create_server(path, family=socket.AF_UNIX)


# The one line per family that makes the listening socket.
SERVERS = {
    "toy": lambda: af_toy.create_server(7000),
    "unix": lambda: unix_server("/tmp/echo.sock"),
    "inet": lambda: socket.create_server(("127.0.0.1", 7000)),
}


def serve(server, once):
    while True:
        conn, address = server.accept()
        with conn:
            print("client", address, file=sys.stderr, flush=True)
            while data := conn.recv(4096):
                conn.sendall(data)
        if once:
            return


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "toy"
    with SERVERS[name]() as server:
        print("listening on", server.getsockname(), flush=True)
        serve(server, "--once" in sys.argv)


if __name__ == "__main__":
    main()
