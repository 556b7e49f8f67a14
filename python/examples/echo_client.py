#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The echo server's client: sends each line of its input, prints what
comes back.

    echo_client.py [toy|unix|inet] < lines
"""
import socket
import sys

import af_toy



def unix_connection(path, timeout):
    """create_connection() for AF_UNIX, which the standard library lacks."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(path)
    return sock


# The one line per family that makes the connected socket.
CLIENTS = {
    "toy": lambda: af_toy.create_connection(7000, timeout=10),
    "unix": lambda: unix_connection("/tmp/echo.sock", timeout=10),
    "inet": lambda: socket.create_connection(("127.0.0.1", 7000), timeout=10),
}


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "toy"
    with CLIENTS[name]() as sock, sock.makefile("rwb") as stream:
        for line in sys.stdin.buffer:
            stream.write(line)
            stream.flush()
            sys.stdout.buffer.write(stream.readline())
        sys.stdout.flush()


if __name__ == "__main__":
    main()
