"""`leaseledger check -cf FILE`: dhcpd's `-t`, with our parser.

Administrators migrating from ISC dhcpd compare this output with `dhcpd -t`, so the
error lines are dhcpd's (file, line, message, the source line and the caret) and the
run ends the way dhcpd's does.  Output goes to stderr as dhcpd's does; only `--json`
writes to stdout, so scripts can read the model.
"""

from __future__ import annotations

import argparse
import sys

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from ops.omapi_service import omapi_key_error


def run(args: argparse.Namespace) -> int:
    result = read_config(args.config)
    for line in result.output_lines():
        print(line, file=sys.stderr)
    if not result.ok:
        return 1
    config = build_config(result.tree)
    key_error = omapi_key_error(config)
    if key_error is not None:
        print(key_error, file=sys.stderr)  # dhcpd -t stops on it too
        return 1
    if args.json:
        print(config.model_dump_json(indent=2))
    elif not args.quiet:
        print(f"Config file: {args.config}", file=sys.stderr)
    return 0
