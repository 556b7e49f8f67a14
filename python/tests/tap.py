#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run the af_toy package's tests (test_*.py beside this file) and print
TAP, as the kselftest harness does: "ok N name", "not ok N name",
"ok N name # SKIP reason", with a plan and a "# Totals" line.

    python3 tap.py [-k PATTERN]

Exit status: 0 when nothing failed, 1 otherwise.
"""
import os
import sys
import unittest


class TapResult(unittest.TestResult):
    """A TestResult that prints one TAP line per test as it ends."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.n = 0
        self.passed = 0
        self.failed = 0
        self.sub_failed = set()
        self.done = set()

    @staticmethod
    def _name(test):
        # an error in setUpClass comes as an _ErrorHolder, without a method
        method = getattr(test, "_testMethodName", None)
        if method is None:
            return "python." + test.id()
        return "python.%s.%s" % (type(test).__name__, method)

    def _line(self, test, ok, extra=""):
        """One TAP line per test, the first outcome it reports."""
        if test.id() in self.done:
            return
        self.done.add(test.id())
        self.n += 1
        if ok and not extra:
            self.passed += 1
        print("%s %d %s%s" % ("ok" if ok else "not ok", self.n,
                              self._name(test), extra), flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(test, True)

    def stopTest(self, test):
        # a test whose subtests failed gets neither success nor failure
        if test.id() in self.sub_failed and test.id() not in self.done:
            self.failed += 1
            self._line(test, False)
        super().stopTest(test)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            print("# %s" % subtest.id())
            for line in self._exc_info_to_string(err, test).splitlines():
                print("# " + line)
            self.sub_failed.add(test.id())

    def _failed(self, test, err):
        for line in self._exc_info_to_string(err, test).splitlines():
            print("# " + line)
        if test.id() not in self.done:
            self.failed += 1
        self._line(test, False)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._failed(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._failed(test, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(test, True, " # SKIP " + reason)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.dirname(here))
    loader = unittest.TestLoader()
    if len(sys.argv) == 3 and sys.argv[1] == "-k":
        loader.testNamePatterns = ["*%s*" % sys.argv[2]]
    suite = loader.discover(here, pattern="test_*.py", top_level_dir=here)
    print("TAP version 13")
    print("1..%d" % suite.countTestCases(), flush=True)
    result = TapResult()
    suite.run(result)
    skipped = result.n - result.passed - result.failed
    print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0" %
          (result.passed, result.failed, skipped))
    return 1 if result.failures or result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
