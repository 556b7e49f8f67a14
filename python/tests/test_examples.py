# SPDX-License-Identifier: GPL-2.0
"""The programs in python/examples, run on AF_TOY, AF_UNIX and AF_INET:
each must print the same on all three, since only the line that makes
the socket differs.
"""
import os
import select
import subprocess
import sys
import time
import unittest

import af_toy

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")
FAMILIES = ("toy", "unix", "inet")
WAIT = 30


def run_env():
    """The examples import af_toy from this tree."""
    return dict(os.environ, PYTHONPATH=os.path.dirname(HERE))


def example(name, *args, **kwargs):
    return subprocess.Popen([sys.executable, os.path.join(EXAMPLES, name)]
                            + list(args), env=run_env(), **kwargs)


def wait_listening(server):
    """The server's first line, "listening on ...", once it is there."""
    if not select.select([server.stdout], [], [], WAIT)[0]:
        raise AssertionError("the server said nothing for %d s" % WAIT)
    line = server.stdout.readline()
    if not line.startswith(b"listening on"):
        raise AssertionError("server said %r" % line)


@unittest.skipUnless(os.path.exists(af_toy.FAMILY_FILE),
                     "af_toy.ko is not loaded")
class Examples(unittest.TestCase):
    def served(self, server_args, client_name, family, lines):
        """Run the server, then the client with @lines as its input, until
        both end; what the client printed."""
        server = example(*server_args, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
        try:
            wait_listening(server)
            client = subprocess.run(
                [sys.executable, os.path.join(EXAMPLES, client_name),
                 family], input=lines, capture_output=True, timeout=WAIT,
                env=run_env())
            self.assertEqual(0, client.returncode, client.stderr)
            self.assertEqual(0, server.wait(WAIT))
            return client.stdout
        finally:
            server.kill()
            server.wait()

    def test_echo_is_the_same_on_every_family(self):
        lines = b"hello\nworld, twice\n" + b"x" * 5000 + b"\n"
        for family in FAMILIES:
            with self.subTest(family=family):
                self.assertEqual(lines, self.served(
                    ("echo_server.py", family, "--once"), "echo_client.py",
                    family, lines))

    def test_datagrams_are_the_same_on_every_family(self):
        lines = b"one\ntwo\nquit\n"
        for family in FAMILIES:
            with self.subTest(family=family):
                self.assertEqual(lines.upper(), self.served(
                    ("udp_server.py", family), "udp_client.py", family,
                    lines))

    def chat(self, family, said_a, said_b):
        a = example("chat.py", family, "listen", stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # what a says is waiting in its pipe when the chat starts
            a.stdin.write(said_a)
            a.stdin.close()
            # the listener prints nothing: try until it listens
            deadline = time.monotonic() + WAIT
            while True:
                b = example("chat.py", family, "connect",
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
                try:
                    heard_a, err_b = b.communicate(said_b, timeout=WAIT)
                except subprocess.TimeoutExpired:
                    b.kill()
                    b.wait()
                    raise
                if b.returncode == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            self.assertEqual(0, b.returncode, err_b)
            a.stdin = None    # closed above: nothing more to write
            heard_b, err_a = a.communicate(timeout=WAIT)
            self.assertEqual(0, a.returncode, err_a)
            return heard_a, heard_b
        finally:
            a.kill()
            a.wait()

    def test_chat_carries_both_ways_on_every_family(self):
        for family in FAMILIES:
            with self.subTest(family=family):
                self.assertEqual((b"from a\n", b"from b\n"),
                                 self.chat(family, b"from a\n", b"from b\n"))


if __name__ == "__main__":
    unittest.main()
