#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A UDP-style datagram server: answers each datagram with it in upper
case, to whoever sent it, until one says "quit".

    udp_server.py [toy|unix|inet]
"""
import os
import socket
import sys

import af_toy


def bound(sock, address):
    if isinstance(address, str) and os.path.exists(address):
        os.unlink(address)   # a stale AF_UNIX socket file
    sock.bind(address)
    return sock


# The one line per family that makes the bound datagram socket.
SERVERS = {
    "toy": lambda: bound(af_toy.socket(socket.SOCK_DGRAM), 7001),
    "unix": lambda: bound(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM),
                          "/tmp/udp.sock"),
    "inet": lambda: bound(socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
                          ("127.0.0.1", 7001)),
}


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "toy"
    with SERVERS[name]() as sock:
        print("listening on", sock.getsockname(), flush=True)
        while True:
            data, sender = sock.recvfrom(65535)
            sock.sendto(data.upper(), sender)
            if data.strip() == b"quit":
                return


if __name__ == "__main__":
    main()
