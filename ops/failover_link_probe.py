"""A failover peer with no DHCP side and no lease store, for the lab: it runs the link
(`adapters/peer_tcp.py`) for one relationship and prints dhcpd's failover log lines.

    python -m ops.failover_link_probe --name fo --role secondary \\
        --address 10.0.0.12 --peer-address 10.0.0.10 [--mclt 30 --split 128] [--seconds N]

It exists to prove the link against a live ISC dhcpd before the daemon speaks failover.
BNDUPDs (ISC's pool balancing) are acknowledged WITHOUT being stored — fine for a probe
that owns no leases, wrong for a server; each is printed so the test can see them.
It stops on SIGTERM or SIGINT, or after `--seconds`, saying DISCONNECT first.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

import trio
from pydantic import ValidationError

from adapters.peer_tcp import PeerLink
from domain.config.failover_peer import FailoverPeerConfig
from domain.failover.session import (
    Action,
    BindUpdateReceived,
    FailoverSession,
    UpdatesRequested,
)
from domain.failover.states import Fatal, LogLine
from domain.failover_messages import UpdDone


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.failover_link_probe")
    parser.add_argument("--name", required=True)
    parser.add_argument("--role", choices=("primary", "secondary"), required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, default=647)
    parser.add_argument("--peer-address", required=True)
    parser.add_argument("--peer-port", type=int, default=647)
    parser.add_argument("--max-response-delay", type=int, default=10)
    parser.add_argument("--max-unacked-updates", type=int, default=10)
    parser.add_argument("--mclt", type=int)
    parser.add_argument("--split", type=int)
    parser.add_argument("--seconds", type=float, default=0.0, help="0: run until stopped")
    return parser.parse_args(argv)


def _print_action(link: PeerLink, action: Action) -> None:
    if isinstance(action, LogLine):
        print(action.text, flush=True)
    elif isinstance(action, Fatal):
        print(action.text, flush=True)
        link.stop()
    elif isinstance(action, BindUpdateReceived):
        update = action.update
        print(f"BNDUPD for {update.assigned_address} acknowledged, not stored", flush=True)
        link.carry_out(link.session.acknowledge(action, link.now()))
    elif isinstance(action, UpdatesRequested):
        # A server without leases has nothing to send: UPDDONE at once.
        link.carry_out(link.session.reply(UpdDone(time=link.now(), xid=action.xid), link.now()))
        print(f"Sent update done message to {link.session.name}", flush=True)


async def _run(config: FailoverPeerConfig, seconds: float) -> None:
    link = PeerLink(FailoverSession.resume(config, None, int(time.time())), _print_action)
    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:
            await nursery.start(link.run)
            with trio.move_on_after(seconds if seconds > 0 else float("inf")):
                async for _ in signals:
                    break
            link.stop()
    print("probe stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the probe; returns the exit status."""
    options = _arguments(sys.argv[1:] if argv is None else argv)
    try:
        config = FailoverPeerConfig(
            name=options.name, role=options.role, address=options.address,
            port=options.port, peer_address=options.peer_address,
            peer_port=options.peer_port, max_response_delay=options.max_response_delay,
            max_unacked_updates=options.max_unacked_updates, mclt=options.mclt,
            split=options.split,
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}"
            for problem in error.errors()
        )
        print(f"failover_link_probe: {problems}", file=sys.stderr)
        return 2
    trio.run(_run, config, options.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
