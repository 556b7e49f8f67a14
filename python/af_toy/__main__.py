# SPDX-License-Identifier: GPL-2.0
"""python3 -m af_toy: the family number in use and this namespace's
counters (from toystat -j, when toystat is on PATH)."""
import json
import shutil
import subprocess
import sys

import af_toy


def main() -> int:
    try:
        print("AF_TOY family %d" % af_toy.family())
    except OSError as err:
        print("af_toy: %s" % err.strerror, file=sys.stderr)
        return 2
    toystat = shutil.which("toystat")
    if not toystat:
        print("(toystat is not on PATH: no counters)")
        return 0
    out = subprocess.run([toystat, "-j"], capture_output=True, text=True)
    if out.returncode:
        print(out.stderr.strip(), file=sys.stderr)
        return out.returncode
    stats = json.loads(out.stdout)
    for type_ in ("stream", "seqpacket", "dgram"):
        counters = stats.get(type_, {})
        print("%-9s %s" % (type_, " ".join(
            "%s=%d" % kv for kv in sorted(counters.items()))))
    return 0


sys.exit(main())
