"""`leaseledger demo`: the main job with no configuration of the user's.

Until the server exists, the demo is what an administrator does first with a new
tool: check the bundled example configurations (the tutorial's failover pair and the
known/unknown-clients subnet) and show what leaseledger understood of each.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from ops.summary import render_summary

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = (
    "ops/examples/failover/primary.conf",
    "ops/examples/failover/secondary.conf",
    "ops/examples/known-unknown/dhcpd.conf",
)


def run(args: argparse.Namespace) -> int:
    # dhcpd resolves a relative `include` against its working directory; the
    # examples include each other by paths relative to the repository root.
    os.chdir(REPO_ROOT)
    status = 0
    for path in EXAMPLES:
        print(f"== leaseledger check -cf {path}")
        result = read_config(path)
        for line in result.output_lines():
            print(line)
        if not result.ok:
            status = 1
            continue
        print("configuration OK\n")
        print(render_summary(build_config(result.tree)))
        print()
    return status
