"""The `leaseledger` command line.

One entry point with subcommands, each a thin shell over the library: parse the
arguments, call one function, print, and turn every failure into a clear message and
an exit code.  Nothing here may let a Python traceback reach an administrator.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from adapters.package_version import version_text
from ops import check_command, ctl_command, demo_command, lease_commands, serve_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leaseledger",
        description="A DHCPv4 server that drops in beside ISC dhcpd.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser(
        "check",
        help="check a dhcpd.conf as `dhcpd -t` does",
        description="Check a dhcpd.conf and report errors in dhcpd's own format.",
    )
    check.add_argument("-cf", dest="config", default="/etc/dhcp/dhcpd.conf", metavar="FILE")
    check.add_argument("-q", dest="quiet", action="store_true", help="no success lines")
    check.add_argument("--json", action="store_true", help="print the validated model as JSON")
    check.set_defaults(run=check_command.run)

    lease_commands.add_commands(sub)
    serve_command.add_command(sub)
    ctl_command.add_command(sub)

    demo = sub.add_parser("demo", help="a failover pair's day on loopback: an outage,"
                                        " a lost database and its rebuild")
    demo.set_defaults(run=demo_command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; the return value is the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: a message, never a traceback
        print(f"leaseledger: internal error: {_described(exc)}", file=sys.stderr)
        return 2


def _described(exc: BaseException) -> str:
    """The exception, or for a group (trio's nurseries) the ones inside it."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_described(inner) for inner in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


if __name__ == "__main__":
    sys.exit(main())
