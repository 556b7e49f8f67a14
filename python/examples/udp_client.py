#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The datagram server's client: each line of its input is one datagram;
prints each answer.

    udp_client.py [toy|unix|inet] < lines
"""
import os
import socket
import sys

import af_toy


def bound(sock, address):
    sock.bind(address)
    return sock


# The one line per family that makes the socket, and where the server is:
# an AF_UNIX client binds a name of its own so that answers can reach it.
CLIENTS = {
    "toy": lambda: (af_toy.socket(socket.SOCK_DGRAM), 7001),
    "unix": lambda: (bound(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM),
                           "/tmp/udp-client.%d" % os.getpid()),
                     "/tmp/udp.sock"),
    "inet": lambda: (socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
                     ("127.0.0.1", 7001)),
}


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "toy"
    sock, server = CLIENTS[name]()
    with sock:
        sock.settimeout(10)
        for line in sys.stdin.buffer:
            sock.sendto(line, server)
            data, _ = sock.recvfrom(65535)
            sys.stdout.buffer.write(data)
        sys.stdout.flush()
        if name == "unix":
            os.unlink(sock.getsockname())


if __name__ == "__main__":
    main()
