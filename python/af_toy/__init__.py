# SPDX-License-Identifier: GPL-2.0
"""AF_TOY sockets for Python's socket module.

af_toy.ko registers a socket family (number 25 by default) whose
addresses are ports: 32-bit numbers, one space per network namespace and
socket type. Python's socket module can create such a socket, but it
cannot bind, connect or name one, since it does not know the address
format. This package can: ``af_toy.socket()`` returns a subclass of
``socket.socket`` whose address methods take and return ports, calling
the C library through ctypes, while everything else (``send``, ``recv``,
``settimeout``, ``makefile``, ``sendall``, selectors, asyncio) is the
standard library's own.

    import af_toy
    with af_toy.create_server(7000) as server:
        conn, port = server.accept()

An address is a port number, a 1-tuple ``(port,)`` or ``PORT_ANY`` (a
free port). Errors are the standard library's ``OSError`` subclasses:
``ConnectionRefusedError``, ``ConnectionResetError``,
``BrokenPipeError``, ``TimeoutError``, ``BlockingIOError``...
"""

from __future__ import annotations

import ctypes
import errno
import operator
import os
import select
import socket as _socket
import struct
import time
from typing import Any, Optional, Tuple, Union

__all__ = [
    "PORT_ANY", "PORT_MAX", "FAMILY_DEFAULT", "SOCK_STREAM", "SOCK_DGRAM",
    "SOCK_SEQPACKET", "ToySocket", "family", "socket", "socketpair",
    "create_server", "create_connection",
]

#: bind() or connect() to a free port the kernel chooses
PORT_ANY = 0xFFFFFFFF
#: the largest port
PORT_MAX = 0xFFFFFFFF
#: the family number af_toy.ko takes unless loaded with family=N
FAMILY_DEFAULT = 25
SOCK_STREAM = _socket.SOCK_STREAM
SOCK_DGRAM = _socket.SOCK_DGRAM
SOCK_SEQPACKET = _socket.SOCK_SEQPACKET

#: where the module says which family number it registered
FAMILY_FILE = "/sys/module/af_toy/parameters/family"

#: a port as an address: a number or a 1-tuple
Address = Union[int, Tuple[int]]

# poll() takes an int of milliseconds
_POLL_MAX_MS = 2**31 - 1

# struct sockaddr_toy (linux/af_toy.h): family, reserved, port, 8 bytes of
# padding, in host byte order
_SOCKADDR = struct.Struct("=HHI8x")


def family() -> int:
    """The address family number af_toy.ko registered.

    Raises OSError (EAFNOSUPPORT) when the module is not loaded.
    """
    try:
        with open(FAMILY_FILE, encoding="ascii") as f:
            return int(f.read())
    except FileNotFoundError:
        raise OSError(errno.EAFNOSUPPORT,
                      "AF_TOY is not loaded (no %s): load it with "
                      "modprobe af_toy or insmod af_toy.ko" % FAMILY_FILE
                      ) from None


_family = family


class _Libc:
    """The C library calls this package needs, with their C types."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        sockaddr_p = ctypes.c_void_p
        socklen_p = ctypes.POINTER(ctypes.c_uint32)
        self.bind = self._fn(libc.bind, ctypes.c_int,
                             [ctypes.c_int, sockaddr_p, ctypes.c_uint32])
        self.connect = self._fn(libc.connect, ctypes.c_int,
                                [ctypes.c_int, sockaddr_p, ctypes.c_uint32])
        self.getsockname = self._fn(libc.getsockname, ctypes.c_int,
                                    [ctypes.c_int, sockaddr_p, socklen_p])
        self.getpeername = self._fn(libc.getpeername, ctypes.c_int,
                                    [ctypes.c_int, sockaddr_p, socklen_p])
        self.accept4 = self._fn(libc.accept4, ctypes.c_int,
                                [ctypes.c_int, sockaddr_p, socklen_p,
                                 ctypes.c_int])
        self.sendto = self._fn(libc.sendto, ctypes.c_ssize_t,
                               [ctypes.c_int, ctypes.c_void_p,
                                ctypes.c_size_t, ctypes.c_int, sockaddr_p,
                                ctypes.c_uint32])
        self.recvmsg = self._fn(libc.recvmsg, ctypes.c_ssize_t,
                                [ctypes.c_int, ctypes.c_void_p,
                                 ctypes.c_int])

    @staticmethod
    def _fn(fn: Any, restype: Any, argtypes: list) -> Any:
        fn.restype = restype
        fn.argtypes = argtypes
        return fn


class _IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class _MsgHdr(ctypes.Structure):
    _fields_ = [("msg_name", ctypes.c_void_p),
                ("msg_namelen", ctypes.c_uint32),
                ("msg_iov", ctypes.POINTER(_IoVec)),
                ("msg_iovlen", ctypes.c_size_t),
                ("msg_control", ctypes.c_void_p),
                ("msg_controllen", ctypes.c_size_t),
                ("msg_flags", ctypes.c_int)]


_libc: Optional[_Libc] = None


def _c() -> _Libc:
    global _libc
    if _libc is None:
        _libc = _Libc()
    return _libc


def _error(err: int) -> OSError:
    # OSError() picks the subclass that goes with the errno
    return OSError(err, os.strerror(err))


def _port(address: Any, call: str) -> int:
    """The port in @address, checked as the standard library checks."""
    if isinstance(address, tuple) and len(address) == 1:
        address = address[0]
    if isinstance(address, bool) or not isinstance(address, int):
        raise TypeError("%s(): AF_TOY address must be a port number or a "
                        "1-tuple, not %s" % (call, type(address).__name__))
    if not 0 <= address <= PORT_MAX:
        raise OverflowError("%s(): port must be 0-%d" % (call, PORT_MAX))
    return address


class _Name:
    """A struct sockaddr_toy buffer for the kernel to fill in or read."""

    def __init__(self, fam: int = 0, port: int = 0) -> None:
        self.buf = ctypes.create_string_buffer(
            _SOCKADDR.pack(fam, 0, port), _SOCKADDR.size)
        self.len = ctypes.c_uint32(_SOCKADDR.size)

    def port(self) -> Optional[int]:
        """The port the kernel wrote, or None when it wrote no address."""
        if self.len.value < _SOCKADDR.size:
            return None
        return _SOCKADDR.unpack(self.buf.raw)[2]


class ToySocket(_socket.socket):
    """A socket.socket of the AF_TOY family, addressed by ports.

    Made by af_toy.socket(), af_toy.socketpair(), accept(), or directly
    with the standard library's arguments (family defaults to AF_TOY's).
    """

    def __init__(self, family: int = -1, type: int = -1, proto: int = -1,
                 fileno: Optional[int] = None) -> None:
        if family == -1:
            family = _family()
        super().__init__(family, type, proto, fileno)

    def _wait(self, events: int, deadline: float) -> None:
        """Wait for @events until @deadline; TimeoutError when it passes."""
        poller = select.poll()
        poller.register(self.fileno(), events)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(min(left * 1000, _POLL_MAX_MS)):
                if time.monotonic() >= deadline:
                    raise TimeoutError("timed out")
                continue
            return

    def _call(self, fn: Any, args: tuple, events: int) -> int:
        """fn(fd, *args), honouring the socket's timeout like socket.socket.

        A blocking socket blocks in the call; a non-blocking one raises
        BlockingIOError; one with a timeout waits for @events at most that
        long and raises TimeoutError. A signal retries the call (PEP 475).
        """
        timeout = self.gettimeout()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            ret = fn(self.fileno(), *args)
            if ret >= 0:
                return ret
            err = ctypes.get_errno()
            if err == errno.EINTR:
                continue
            if err != errno.EAGAIN or not timeout:
                raise _error(err)
            self._wait(events, deadline)

    # -- addresses --

    def bind(self, address: Address) -> None:
        """Bind to a port, or to a free one with PORT_ANY."""
        name = _Name(self.family, _port(address, "bind"))
        if _c().bind(self.fileno(), name.buf, _SOCKADDR.size) < 0:
            raise _error(ctypes.get_errno())

    def _connect(self, port: int) -> int:
        """connect(2) to @port; 0 or the errno."""
        name = _Name(self.family, port)
        timeout = self.gettimeout()
        if not timeout:
            while _c().connect(self.fileno(), name.buf, _SOCKADDR.size) < 0:
                err = ctypes.get_errno()
                if err != errno.EINTR:
                    return err
            return 0
        # A connect that finds the backlog full sleeps for room; poll()
        # cannot wait for that, so sleep in the kernel with SO_SNDTIMEO,
        # which AF_TOY's connect honours, and put everything back after.
        deadline = time.monotonic() + timeout
        old = self.getsockopt(_socket.SOL_SOCKET, _socket.SO_SNDTIMEO, 16)
        try:
            super().setblocking(True)
            while True:
                left = max(deadline - time.monotonic(), 1e-6)
                self.setsockopt(_socket.SOL_SOCKET, _socket.SO_SNDTIMEO,
                                struct.pack("ll", int(left),
                                            int(left % 1 * 1e6)))
                if _c().connect(self.fileno(), name.buf,
                                _SOCKADDR.size) == 0:
                    return 0
                err = ctypes.get_errno()
                # EAGAIN: SO_SNDTIMEO ran out, which connect() reports
                # as a timeout and connect_ex() as EWOULDBLOCK (CPython)
                if err != errno.EINTR:
                    return err
        finally:
            super().settimeout(timeout)
            self.setsockopt(_socket.SOL_SOCKET, _socket.SO_SNDTIMEO, old)

    def connect(self, address: Address) -> None:
        """Connect to a port (stream, seqpacket), or set the default
        destination (dgram)."""
        err = self._connect(_port(address, "connect"))
        if err == errno.EAGAIN and self.gettimeout():
            raise TimeoutError("timed out")
        if err:
            raise _error(err)

    def connect_ex(self, address: Address) -> int:
        """connect(), returning the errno instead of raising (0: success)."""
        return self._connect(_port(address, "connect_ex"))

    def getsockname(self) -> int:
        """The local port, 0 while unbound."""
        name = _Name()
        if _c().getsockname(self.fileno(), name.buf,
                            ctypes.byref(name.len)) < 0:
            raise _error(ctypes.get_errno())
        return name.port() or 0

    def getpeername(self) -> int:
        """The peer's port; OSError (ENOTCONN) when not connected."""
        name = _Name()
        if _c().getpeername(self.fileno(), name.buf,
                            ctypes.byref(name.len)) < 0:
            raise _error(ctypes.get_errno())
        return name.port() or 0

    # -- calls that return or take an address --

    def accept(self) -> Tuple["ToySocket", Optional[int]]:
        """Wait for a connection: (a new socket, the client's port)."""
        name = _Name()
        fd = self._call(_c().accept4, (name.buf, ctypes.byref(name.len),
                                       _socket.SOCK_CLOEXEC),
                        select.POLLIN)
        sock = ToySocket(self.family, self.type, self.proto, fileno=fd)
        # as socket.socket.accept(): a listener's timeout is not inherited
        if _socket.getdefaulttimeout() is None and self.gettimeout():
            sock.setblocking(True)
        return sock, name.port()

    def sendto(self, data: Any, *args: Any) -> int:
        """sendto(data[, flags], port) -> bytes sent."""
        if len(args) == 1:
            flags, address = 0, args[0]
        elif len(args) == 2:
            flags, address = args
        else:
            raise TypeError("sendto() takes 2 or 3 arguments (%d given)" %
                            (len(args) + 1))
        flags = operator.index(flags)
        name = _Name(self.family, _port(address, "sendto"))
        # a bytes-like object, as socket.sendto() wants (not an int)
        payload = memoryview(data).tobytes()
        return self._call(_c().sendto, (payload, len(payload), flags,
                                        name.buf, _SOCKADDR.size),
                          select.POLLOUT)

    def _recvmsg(self, buf: Any, size: int,
                 flags: int) -> Tuple[int, int, Optional[int]]:
        """recvmsg(2) into @buf: (bytes, msg_flags, sender's port)."""
        flags = operator.index(flags)
        name = _Name()
        iov = _IoVec(ctypes.addressof(buf), size)
        msg = _MsgHdr(ctypes.cast(name.buf, ctypes.c_void_p).value,
                      _SOCKADDR.size, ctypes.pointer(iov), 1, None, 0, 0)
        n = self._call(_c().recvmsg, (ctypes.byref(msg), flags),
                       select.POLLIN)
        name.len.value = msg.msg_namelen
        return n, msg.msg_flags, name.port()

    @staticmethod
    def _into(buffer: Any, nbytes: int) -> Tuple[Any, int]:
        view = memoryview(buffer).cast("B")
        if view.readonly:
            raise TypeError("a writable buffer is required")
        if nbytes < 0:
            raise ValueError("negative buffersize in recv_into")
        size = nbytes or len(view)
        if size > len(view):
            raise ValueError("buffer too small for requested bytes")
        if not size:
            return ctypes.create_string_buffer(1), 0
        return (ctypes.c_char * size).from_buffer(view), size

    def recvfrom(self, bufsize: int, flags: int = 0
                 ) -> Tuple[bytes, Optional[int]]:
        """recvfrom(bufsize[, flags]) -> (data, sender's port or None)."""
        if bufsize < 0:
            raise ValueError("negative buffersize in recvfrom")
        buf = ctypes.create_string_buffer(max(bufsize, 1))
        n, _, port = self._recvmsg(buf, bufsize, flags)
        return buf.raw[:n], port

    def recvfrom_into(self, buffer: Any, nbytes: int = 0, flags: int = 0
                      ) -> Tuple[int, Optional[int]]:
        """recvfrom_into(buffer[, nbytes[, flags]]) -> (nbytes, port)."""
        buf, size = self._into(buffer, nbytes)
        n, _, port = self._recvmsg(buf, size, flags)
        return n, port

    def recvmsg(self, bufsize: int, ancbufsize: int = 0, flags: int = 0
                ) -> Tuple[bytes, list, int, Optional[int]]:
        """recvmsg(bufsize[, ancbufsize[, flags]]) ->
        (data, [], msg_flags, port). AF_TOY carries no ancillary data;
        msg_flags has MSG_TRUNC and, for a record, MSG_EOR."""
        if bufsize < 0:
            raise ValueError("negative buffer size in recvmsg()")
        buf = ctypes.create_string_buffer(max(bufsize, 1))
        n, msg_flags, port = self._recvmsg(buf, bufsize, flags)
        return buf.raw[:n], [], msg_flags, port

    def recvmsg_into(self, buffers: Any, ancbufsize: int = 0, flags: int = 0
                     ) -> Tuple[int, list, int, Optional[int]]:
        """recvmsg_into([buffer]...) for one buffer; as recvmsg()."""
        buffers = list(buffers)
        if len(buffers) != 1:
            raise ValueError("AF_TOY's recvmsg_into() takes one buffer")
        buf, size = self._into(buffers[0], 0)
        n, msg_flags, port = self._recvmsg(buf, size, flags)
        return n, [], msg_flags, port

    def sendmsg(self, buffers: Any, ancdata: Any = (), flags: int = 0,
                address: Optional[Address] = None) -> int:
        """sendmsg(buffers[, ancdata[, flags[, port]]]): AF_TOY takes no
        ancillary data (EOPNOTSUPP, as the kernel says)."""
        if address is None:
            return super().sendmsg(buffers, ancdata, flags)
        if list(ancdata):
            raise _error(errno.EOPNOTSUPP)
        return self.sendto(b"".join(memoryview(b).tobytes()
                                    for b in buffers), flags, address)


def socket(type: int = SOCK_STREAM, proto: int = 0,
           fileno: Optional[int] = None) -> ToySocket:
    """A new AF_TOY socket of @type: SOCK_STREAM, SOCK_DGRAM or
    SOCK_SEQPACKET."""
    return ToySocket(family(), type, proto, fileno)


def socketpair(type: int = SOCK_STREAM) -> Tuple[ToySocket, ToySocket]:
    """Two connected AF_TOY sockets of @type."""
    a, b = _socket.socketpair(family(), type, 0)
    return (ToySocket(a.family, a.type, a.proto, fileno=a.detach()),
            ToySocket(b.family, b.type, b.proto, fileno=b.detach()))


def create_server(address: Address = PORT_ANY, *, backlog: Optional[int] =
                  None, type: int = SOCK_STREAM) -> ToySocket:
    """A listening socket bound to @address, as socket.create_server()."""
    sock = socket(type)
    try:
        try:
            sock.bind(address)
        except OSError as err:
            raise OSError(err.errno, "%s (while attempting to bind on "
                          "port %r)" % (err.strerror, address)) from None
        if backlog is None:
            sock.listen()
        else:
            sock.listen(backlog)
        return sock
    except BaseException:
        sock.close()
        raise


# what socket.create_connection() takes for "the global default"
_DEFAULT = _socket._GLOBAL_DEFAULT_TIMEOUT


def create_connection(address: Address, timeout: Any = _DEFAULT,
                      source_address: Optional[Address] = None, *,
                      type: int = SOCK_STREAM) -> ToySocket:
    """A socket connected to @address, as socket.create_connection():
    @timeout is set before connecting (default: the global default), and
    @source_address, if given, is bound first."""
    sock = socket(type)
    try:
        if timeout is not _DEFAULT:
            sock.settimeout(timeout)
        if source_address is not None:
            sock.bind(source_address)
        sock.connect(address)
        return sock
    except BaseException:
        sock.close()
        raise
