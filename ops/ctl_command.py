"""`leaseledger ctl`: ask the running server over its control socket.

`ctl status` shows each failover relationship as an operator needs it before acting
(my state and the partner's, since when, connected or not, updates not yet
acknowledged, the pools' counts); `--json` prints the server's answer for scripts.
`ctl partner-down PEER` is the operator's word that the peer is down, as ISC's
`omshell` does by setting the failover state's `local-state` to partner-down: only
do it when the peer is really stopped, or both servers may hand out the same address.

The socket is the server's (`serve --control`); by default both commands derive it
from the pid file, so `-pf` works the same for `serve` and `ctl`, and so does a
`pid-file-name` in the configuration (`-cf`, by default dhcpd's).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from datetime import datetime
from typing import Any

from ops.control import default_control_path
from ops.server_files import DEFAULT_CONF, DEFAULT_PID, config_for_paths, configured_files
from ops.tables import render_table

ANSWER_SECONDS = 10.0
MAX_ANSWER = 16 * 1024 * 1024  # a status of many pools is long, but never this long


class CtlError(Exception):
    """The server could not be asked, or refused: the message says why."""


def add_command(sub: argparse._SubParsersAction) -> None:
    ctl = sub.add_parser(
        "ctl", help="ask the running server: status, partner-down",
        description="Talk to a running `leaseledger serve` over its control socket.",
    )
    ctl.add_argument("--socket", metavar="PATH",
                     help="the server's control socket (default: beside the pid file, "
                          f"{default_control_path(DEFAULT_PID)})")
    ctl.add_argument("-pf", dest="pidfile", metavar="FILE",
                     help="the server's pid file, to find its control socket (default: the"
                          " configuration's pid-file-name, else dhcpd's)")
    ctl.add_argument("-cf", dest="config", metavar="FILE",
                     help=f"the server's configuration (default {DEFAULT_CONF}), read for"
                          " pid-file-name when neither --socket nor -pf is given")
    actions = ctl.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    status = actions.add_parser("status", help="failover states, pool counts")
    status.add_argument("--json", action="store_true", help="print the server's answer")
    status.set_defaults(request=lambda _args: {"command": "status"}, show=_show_status)
    down = actions.add_parser("partner-down",
                              help="declare the failover peer down (it must really be)")
    down.add_argument("peer", metavar="PEER", help="the failover peer's name")
    down.set_defaults(request=lambda args: {"command": "partner-down", "peer": args.peer},
                      show=_show_partner_down)
    ctl.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        answer = ask(socket_path(args), args.request(args))
    except CtlError as exc:
        print(f"leaseledger ctl: {exc}", file=sys.stderr)
        return 1
    if not answer.get("ok"):
        print(f"leaseledger ctl: {answer.get('error', 'the server refused')}", file=sys.stderr)
        return 1
    print(args.show(args, answer))
    return 0


def socket_path(args: argparse.Namespace) -> str:
    """--socket, else beside -pf, else beside the pid file `serve` with the
    configuration writes (as `serve` puts it)."""
    if args.socket:
        return str(args.socket)
    if args.pidfile:
        return default_control_path(args.pidfile)
    try:
        config = config_for_paths(args.config)
    except OSError as error:
        raise CtlError(f"{error.filename}: {error.strerror}") from None
    return default_control_path(configured_files(config).pid_file)


def ask(path: str, request: dict[str, Any]) -> dict[str, Any]:
    """Send one request line to the server at `path`; return its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(ANSWER_SECONDS)
        try:
            sock.connect(path)
        except FileNotFoundError:
            raise CtlError(f"no control socket {path}: is `leaseledger serve` running? "
                           "(--socket or -pf name another server's)") from None
        except ConnectionRefusedError:
            raise CtlError(f"nobody listens on {path}: the server is not running "
                           "(the file is left from an earlier run)") from None
        except PermissionError:
            raise CtlError(f"permission denied on {path}: run ctl as root "
                           "(the user the server runs as)") from None
        except OSError as exc:
            raise CtlError(f"can't connect to {path}: {exc.strerror or exc}") from None
        try:
            sock.sendall(json.dumps(request).encode() + b"\n")
            line = _read_line(sock)
        except TimeoutError:
            raise CtlError(f"no answer on {path} within {ANSWER_SECONDS:g} s") from None
        except OSError as exc:
            raise CtlError(f"lost the connection to {path}: {exc.strerror or exc}") from None
    try:
        answer = json.loads(line)
    except ValueError:
        raise CtlError(f"the answer on {path} is not JSON: {line[:80]!r}") from None
    if not isinstance(answer, dict):
        raise CtlError(f"the answer on {path} is not a JSON object")
    return answer


def _read_line(sock: socket.socket) -> bytes:
    buffer = bytearray()
    while b"\n" not in buffer:
        if len(buffer) > MAX_ANSWER:
            raise CtlError(f"the server's answer is longer than {MAX_ANSWER} bytes")
        chunk = sock.recv(65536)
        if not chunk:
            raise CtlError("the server closed the connection without an answer")
        buffer += chunk
    return bytes(buffer[:buffer.index(b"\n")])


def local_time(epoch: object) -> str:
    """A state's start in the operator's local time (the record's own times are UTC)."""
    if not isinstance(epoch, int) or epoch <= 0:
        return "-"
    return datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _show_status(args: argparse.Namespace, answer: dict[str, Any]) -> str:
    if args.json:
        return json.dumps(answer, indent=2)
    relationships = [
        {"peer": rel["peer"], "role": rel["role"], "my_state": rel["my_state"],
         "my_since": local_time(rel["my_state_since"]), "partner_state": rel["partner_state"],
         "partner_since": local_time(rel["partner_state_since"]),
         "connected": "yes" if rel["connected"] else "no", "service": rel["service"],
         "mclt": rel["mclt"], "unacked": rel["updates_unacked"],
         "queued": rel["updates_queued"]}
        for rel in answer["failover"]
    ]
    lines = []
    if relationships:
        lines.append(render_table(relationships, [
            ("peer", "PEER"), ("role", "ROLE"), ("my_state", "MY STATE"),
            ("my_since", "SINCE"), ("partner_state", "PARTNER STATE"),
            ("partner_since", "SINCE"), ("connected", "CONNECTED"),
            ("service", "SERVICE"), ("mclt", "MCLT"), ("unacked", "UNACKED"),
            ("queued", "QUEUED"),
        ]))
    else:
        lines.append("no failover peers")
    pools = [dict(pool, failover_peer=pool["failover_peer"] or "-")
             for pool in answer["pools"]]
    lines += ["", render_table(pools, [
        ("pool", "POOL"), ("network", "NETWORK"), ("failover_peer", "FAILOVER"),
        ("total", "TOTAL"), ("free", "FREE"), ("backup", "BACKUP"), ("lts", "LTS"),
    ]), "", f"{answer['leases']} lease records"]
    return "\n".join(lines)


def _show_partner_down(_args: argparse.Namespace, answer: dict[str, Any]) -> str:
    peer, was, now = answer["peer"], answer["was"], answer["state"]
    if was == now:
        return f"failover peer {peer}: my state stays {now}"
    return f"failover peer {peer}: my state moves from {was} to {now}"
