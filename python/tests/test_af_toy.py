# SPDX-License-Identifier: GPL-2.0
"""The af_toy package against the module: every method it adds, the
errors and timeouts socket.socket users expect, non-blocking use with
selectors, and asyncio streams over AF_TOY sockets.

Each test uses ports of its own (PORT + a number), so that no test sees
another's sockets. Skipped, with the reason, when af_toy.ko is not
loaded.
"""
import asyncio
import errno
import os
import selectors
import socket
import subprocess
import sys
import threading
import unittest

import af_toy

PORT = 17000
# how long a call that should return at once may take under TCG
WAIT = 10.0
# a timeout a call should run into
SHORT = 0.2


def loaded():
    return os.path.exists(af_toy.FAMILY_FILE)


@unittest.skipUnless(loaded(), "af_toy.ko is not loaded")
class Base(unittest.TestCase):
    def setUp(self):
        self.socks = []

    def tearDown(self):
        for s in self.socks:
            s.close()

    def keep(self, *socks):
        self.socks.extend(socks)
        return socks[0] if len(socks) == 1 else socks

    def pair(self, port, type=socket.SOCK_STREAM):
        """A connected pair through a listener: (client, accepted)."""
        server = self.keep(af_toy.create_server(port, type=type))
        client = self.keep(af_toy.create_connection(port, timeout=WAIT,
                                                    type=type))
        server.settimeout(WAIT)
        conn, _ = server.accept()
        # a regression must fail a test, not hang it
        conn.settimeout(WAIT)
        return client, self.keep(conn)


class Family(Base):
    def test_family_is_the_module_parameter(self):
        with open(af_toy.FAMILY_FILE) as f:
            self.assertEqual(int(f.read()), af_toy.family())

    def test_socket_is_a_socket_socket_of_the_family(self):
        s = self.keep(af_toy.socket())
        self.assertIsInstance(s, socket.socket)
        self.assertIsInstance(s, af_toy.ToySocket)
        self.assertEqual(af_toy.family(), s.family)
        self.assertEqual(socket.SOCK_STREAM, s.type)
        for t in (socket.SOCK_DGRAM, socket.SOCK_SEQPACKET):
            self.assertEqual(t, self.keep(af_toy.socket(t)).type)

    def test_python_m_af_toy_prints_the_family(self):
        out = subprocess.run([sys.executable, "-m", "af_toy"],
                             capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, PYTHONPATH=os.path.dirname(
                                 os.path.dirname(af_toy.__file__))))
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn("family %d" % af_toy.family(), out.stdout)


class Addresses(Base):
    def test_bind_takes_a_port_or_a_1_tuple_and_getsockname_gives_it(self):
        a, b = self.keep(af_toy.socket(), af_toy.socket())
        self.assertEqual(0, a.getsockname())
        a.bind(PORT + 1)
        b.bind((PORT + 2,))
        self.assertEqual(PORT + 1, a.getsockname())
        self.assertEqual(PORT + 2, b.getsockname())

    def test_port_any_binds_a_free_port(self):
        s = self.keep(af_toy.socket())
        s.bind(af_toy.PORT_ANY)
        self.assertNotIn(s.getsockname(), (0, af_toy.PORT_ANY))

    def test_bad_addresses_raise_as_the_standard_library_does(self):
        s = self.keep(af_toy.socket())
        for bad in ("7000", 7.0, (1, 2), None, True):
            with self.assertRaises(TypeError, msg=repr(bad)):
                s.bind(bad)
        for bad in (-1, af_toy.PORT_MAX + 1):
            with self.assertRaises(OverflowError, msg=repr(bad)):
                s.bind(bad)
        with self.assertRaises(OSError) as cm:
            s.bind(0)
        self.assertEqual(errno.EINVAL, cm.exception.errno)

    def test_a_taken_port_is_eaddrinuse_naming_the_port(self):
        self.keep(af_toy.create_server(PORT + 3))
        with self.assertRaises(OSError) as cm:
            af_toy.create_server(PORT + 3)
        self.assertEqual(errno.EADDRINUSE, cm.exception.errno)
        self.assertIn(str(PORT + 3), str(cm.exception))

    def test_getpeername_of_an_unconnected_socket_is_enotconn(self):
        with self.assertRaises(OSError) as cm:
            self.keep(af_toy.socket()).getpeername()
        self.assertEqual(errno.ENOTCONN, cm.exception.errno)

    def test_repr_shows_the_port(self):
        s = self.keep(af_toy.socket())
        s.bind(PORT + 4)
        self.assertIn("laddr=%d" % (PORT + 4), repr(s))


class Stream(Base):
    def test_accept_returns_a_toy_socket_and_the_client_port(self):
        client, conn = self.pair(PORT + 10)
        self.assertIsInstance(conn, af_toy.ToySocket)
        self.assertEqual(PORT + 10, conn.getsockname())
        self.assertEqual(client.getsockname(), conn.getpeername())
        self.assertEqual(PORT + 10, client.getpeername())

    def test_accept_gives_the_port_as_the_address(self):
        server = self.keep(af_toy.create_server(PORT + 11))
        client = self.keep(af_toy.create_connection(PORT + 11))
        conn, port = server.accept()
        self.keep(conn)
        self.assertEqual(client.getsockname(), port)

    def test_send_recv_sendall_recv_into_and_makefile(self):
        client, conn = self.pair(PORT + 12)
        self.assertEqual(5, client.send(b"hello"))
        self.assertEqual(b"hello", conn.recv(16))
        big = os.urandom(1 << 20)
        t = threading.Thread(target=client.sendall, args=(big,))
        t.start()
        got = bytearray()
        buf = bytearray(65536)
        while len(got) < len(big):
            n = conn.recv_into(buf)
            self.assertGreater(n, 0)
            got += buf[:n]
        t.join(WAIT)
        self.assertFalse(t.is_alive())
        self.assertEqual(big, bytes(got))
        with client.makefile("wb") as w, conn.makefile("rb") as r:
            w.write(b"one line\n")
            w.flush()
            self.assertEqual(b"one line\n", r.readline())

    def test_recvfrom_on_a_stream_gives_no_address(self):
        client, conn = self.pair(PORT + 13)
        client.send(b"x")
        self.assertEqual((b"x", None), conn.recvfrom(1))

    def test_connect_to_nobody_is_connection_refused(self):
        s = self.keep(af_toy.socket())
        with self.assertRaises(ConnectionRefusedError):
            s.connect(PORT + 14)
        s = self.keep(af_toy.socket())
        self.assertEqual(errno.ECONNREFUSED, s.connect_ex(PORT + 14))

    def test_peer_close_with_unread_data_is_connection_reset(self):
        client, conn = self.pair(PORT + 15)
        client.send(b"unread")
        conn.close()
        with self.assertRaises(ConnectionResetError):
            client.recv(1)

    def test_send_after_the_peer_closed_is_broken_pipe(self):
        client, conn = self.pair(PORT + 16)
        conn.close()
        with self.assertRaises((BrokenPipeError, ConnectionResetError)):
            for _ in range(3):
                client.send(b"x")

    def test_shutdown_gives_the_peer_eof(self):
        client, conn = self.pair(PORT + 17)
        client.shutdown(socket.SHUT_WR)
        self.assertEqual(b"", conn.recv(1))

    def test_socketpair_is_connected(self):
        a, b = self.keep(*af_toy.socketpair())
        self.assertIsInstance(a, af_toy.ToySocket)
        a.sendall(b"ping")
        self.assertEqual(b"ping", b.recv(4))

    def test_dup_keeps_the_class_and_the_socket(self):
        s = self.keep(af_toy.socket())
        s.bind(PORT + 18)
        d = self.keep(s.dup())
        self.assertIsInstance(d, af_toy.ToySocket)
        self.assertEqual(PORT + 18, d.getsockname())

    def test_context_manager_closes(self):
        with af_toy.socket() as s:
            s.bind(PORT + 19)
        self.assertEqual(-1, s.fileno())
        self.keep(af_toy.socket()).bind(PORT + 19)


class Timeouts(Base):
    def test_recv_times_out(self):
        client, conn = self.pair(PORT + 20)
        conn.settimeout(SHORT)
        with self.assertRaises(TimeoutError):
            conn.recv(1)
        self.assertIs(socket.timeout, TimeoutError)

    def test_accept_times_out(self):
        server = self.keep(af_toy.create_server(PORT + 21))
        server.settimeout(SHORT)
        with self.assertRaises(TimeoutError):
            server.accept()

    def test_connect_to_a_full_backlog_times_out(self):
        server = self.keep(af_toy.create_server(PORT + 22, backlog=1))
        while True:
            s = self.keep(af_toy.socket())
            s.setblocking(False)
            try:
                s.connect(PORT + 22)
            except BlockingIOError:
                break
        s = self.keep(af_toy.socket())
        s.settimeout(SHORT)
        with self.assertRaises(TimeoutError):
            s.connect(PORT + 22)
        s = self.keep(af_toy.socket())
        s.settimeout(SHORT)
        self.assertEqual(errno.EWOULDBLOCK, s.connect_ex(PORT + 22))
        # a slot freed while it waits lets the connect through
        s = self.keep(af_toy.socket())
        s.settimeout(WAIT)
        timer = threading.Timer(SHORT,
                                lambda: self.keep(server.accept()[0]))
        timer.start()
        s.connect(PORT + 22)
        timer.join(WAIT)
        self.assertEqual(PORT + 22, s.getpeername())
        # the socket's mode and SO_SNDTIMEO are what they were
        self.assertEqual(WAIT, s.gettimeout())
        self.assertFalse(os.get_blocking(s.fileno()))
        self.assertEqual(bytes(16), s.getsockopt(socket.SOL_SOCKET,
                                                 socket.SO_SNDTIMEO, 16))

    def test_a_timeout_wait_ends_when_data_comes(self):
        client, conn = self.pair(PORT + 23)
        # longer than poll() takes in one go: waits all the same
        conn.settimeout(1e8)
        timer = threading.Timer(SHORT, client.send, args=(b"late",))
        timer.start()
        self.assertEqual(b"late", conn.recv(4))
        timer.join(WAIT)

    def test_an_accepted_socket_does_not_inherit_the_timeout(self):
        server = self.keep(af_toy.create_server(PORT + 24))
        server.settimeout(WAIT)
        self.keep(af_toy.create_connection(PORT + 24))
        conn, _ = server.accept()
        self.keep(conn)
        self.assertIsNone(conn.gettimeout())
        self.assertTrue(os.get_blocking(conn.fileno()))


class NonBlocking(Base):
    def test_calls_that_would_block_raise_blocking_io_error(self):
        server = self.keep(af_toy.create_server(PORT + 30))
        server.setblocking(False)
        with self.assertRaises(BlockingIOError):
            server.accept()
        client, conn = self.pair(PORT + 31)
        conn.setblocking(False)
        with self.assertRaises(BlockingIOError):
            conn.recv(1)
        d = self.keep(af_toy.socket(socket.SOCK_DGRAM))
        d.bind(PORT + 32)
        d.setblocking(False)
        with self.assertRaises(BlockingIOError):
            d.recvfrom(1)

    def test_selectors_drive_an_echo(self):
        server = self.keep(af_toy.create_server(PORT + 33))
        server.setblocking(False)
        client = self.keep(af_toy.create_connection(PORT + 33))
        with selectors.DefaultSelector() as sel:
            sel.register(server, selectors.EVENT_READ)
            self.assertTrue(sel.select(WAIT))
            conn, _ = server.accept()
            self.keep(conn)
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
            client.send(b"ping")
            for key, _ in sel.select(WAIT):
                if key.fileobj is conn:
                    conn.send(conn.recv(16).upper())
            client.settimeout(WAIT)
            self.assertEqual(b"PING", client.recv(16))


class Datagrams(Base):
    def test_sendto_and_recvfrom_name_the_sender(self):
        server = self.keep(af_toy.socket(socket.SOCK_DGRAM))
        server.bind(PORT + 40)
        client = self.keep(af_toy.socket(socket.SOCK_DGRAM))
        client.settimeout(WAIT)
        server.settimeout(WAIT)
        self.assertEqual(5, client.sendto(b"hello", PORT + 40))
        data, sender = server.recvfrom(100)
        self.assertEqual(b"hello", data)
        self.assertEqual(client.getsockname(), sender)
        server.sendto(b"back", 0, sender)
        buf = bytearray(10)
        self.assertEqual((4, PORT + 40), client.recvfrom_into(buf))
        self.assertEqual(b"back", bytes(buf[:4]))

    def test_connected_dgram_sends_and_receives(self):
        a = self.keep(af_toy.socket(socket.SOCK_DGRAM))
        b = self.keep(af_toy.socket(socket.SOCK_DGRAM))
        a.bind(PORT + 41)
        b.bind(PORT + 42)
        a.connect(PORT + 42)
        b.connect((PORT + 41,))
        a.send(b"x")
        b.settimeout(WAIT)
        self.assertEqual(b"x", b.recv(1))
        self.assertEqual(PORT + 41, b.getpeername())

    def test_recvmsg_and_sendmsg_carry_the_port(self):
        server = self.keep(af_toy.socket(socket.SOCK_DGRAM))
        server.bind(PORT + 43)
        client = self.keep(af_toy.socket(socket.SOCK_DGRAM))
        client.sendmsg([b"he", b"llo"], [], 0, PORT + 43)
        server.settimeout(WAIT)
        data, anc, flags, sender = server.recvmsg(3)
        self.assertEqual((b"hel", [], client.getsockname()),
                         (data, anc, sender))
        self.assertTrue(flags & socket.MSG_TRUNC)

    def test_sendto_takes_bytes_like_data_and_int_flags(self):
        s = self.keep(af_toy.socket(socket.SOCK_DGRAM))
        for bad in (5, [1, 2], "text"):
            with self.assertRaises(TypeError, msg=repr(bad)):
                s.sendto(bad, PORT + 45)
        with self.assertRaises(TypeError):
            s.sendto(b"x", "0", PORT + 45)

    def test_sendto_nobody_is_connection_refused(self):
        s = self.keep(af_toy.socket(socket.SOCK_DGRAM))
        with self.assertRaises(ConnectionRefusedError):
            s.sendto(b"x", PORT + 44)


class Records(Base):
    def test_seqpacket_keeps_records_and_marks_truncation(self):
        client, conn = self.pair(PORT + 50, socket.SOCK_SEQPACKET)
        client.send(b"one")
        client.send(b"second record")
        conn.settimeout(WAIT)
        self.assertEqual(b"one", conn.recv(100))
        data, _, flags, _ = conn.recvmsg(6)
        self.assertEqual(b"second", data)
        self.assertTrue(flags & socket.MSG_TRUNC)
        self.assertTrue(flags & socket.MSG_EOR)

    def test_seqpacket_socketpair(self):
        a, b = self.keep(*af_toy.socketpair(socket.SOCK_SEQPACKET))
        a.send(b"")
        self.assertEqual(b"", b.recv(10))


class Asyncio(Base):
    def test_streams_over_an_accepted_socket(self):
        client, conn = self.pair(PORT + 60)

        async def echo_once():
            reader, writer = await asyncio.open_connection(sock=conn)
            line = await reader.readline()
            writer.write(line.upper())
            await writer.drain()
            writer.close()
            await writer.wait_closed()

        client.sendall(b"hello asyncio\n")
        asyncio.run(asyncio.wait_for(echo_once(), WAIT))
        self.socks.remove(conn)
        client.settimeout(WAIT)
        self.assertEqual(b"HELLO ASYNCIO\n", client.recv(100))

    def test_start_server_on_a_toy_listener(self):
        listener = af_toy.create_server(PORT + 61)

        async def main():
            async def handle(reader, writer):
                writer.write((await reader.read(100)).upper())
                await writer.drain()
                writer.close()

            server = await asyncio.start_server(handle, sock=listener)
            async with server:
                reader, writer = await asyncio.open_connection(
                    sock=af_toy.create_connection(PORT + 61))
                writer.write(b"abc")
                writer.write_eof()
                reply = await reader.read()
                writer.close()
                return reply

        self.assertEqual(b"ABC", asyncio.run(asyncio.wait_for(main(), WAIT)))


if __name__ == "__main__":
    unittest.main()
