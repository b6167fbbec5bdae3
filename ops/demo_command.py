"""`leaseledger demo`: the main job with no configuration of the user's.

It does what an administrator does on the first day: check the bundled example
configurations (the tutorial's failover pair and the known/unknown-clients subnet),
then run `leaseledger serve` on the known/unknown example — on loopback, on an
unprivileged port, with a built-in client acting as a relay agent, so no root and no
network are needed — and look at the result with `leases`, `pools` and `audit`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trio

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.dhcp_packet import Opt
from ops.loopback_client import RelayClient
from ops.summary import render_summary

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = (
    "ops/examples/failover/primary.conf",
    "ops/examples/failover/secondary.conf",
    "ops/examples/known-unknown/dhcpd.conf",
)
SERVED = "ops/examples/known-unknown/dhcpd.conf"
PORT = 16767
SERVER, RELAY, LINK = "127.0.0.1", "127.0.0.2", "10.0.0.1"
KNOWN = {"workstation-1": "00:16:3e:20:00:01", "workstation-2": "00:16:3e:20:00:02"}
UNKNOWN = {"visitor-1": "02:aa:00:00:00:01", "visitor-2": "02:aa:00:00:00:02"}


def heading(text: str) -> None:
    print(f"\n== {text}")


def check_examples() -> int:
    status = 0
    for path in EXAMPLES:
        heading(f"leaseledger check -cf {path}")
        result = read_config(path)
        for line in result.output_lines():
            print(line)
        if not result.ok:
            status = 1
            continue
        print("configuration OK\n")
        print(render_summary(build_config(result.tree)))
    return status


async def clients_day() -> None:
    client = await RelayClient((SERVER, PORT), RELAY, LINK).open()
    try:
        for name, mac in {**KNOWN, **UNKNOWN}.items():
            exchange = await client.dora(bytes.fromhex(mac.replace(":", "")), hostname=name)
            answer = exchange.answer
            if answer is None:
                print(f"  {name:14} {mac}  no answer")
                continue
            seconds = int.from_bytes(answer.option(Opt.LEASE_TIME) or b"", "big")
            dns = answer.option(Opt.DOMAIN_NAME_SERVERS) or b""
            servers = ", ".join(".".join(map(str, dns[i:i + 4])) for i in range(0, len(dns), 4))
            print(f"  {name:14} {mac}  got {exchange.address:<11} for {seconds:>5} s"
                  f"  DNS {servers}")
        first = next(iter(UNKNOWN.items()))
        print(f"  {first[0]} leaves and releases its address")
        await client.release(bytes.fromhex(first[1].replace(":", "")), "10.0.0.100",
                             bytes([127, 0, 0, 1]))
        await trio.sleep(0.5)
    finally:
        client.close()


def run_cli(*argv: str) -> None:
    print(f"\n$ leaseledger {' '.join(argv)}")
    sys.stdout.flush()
    subprocess.run([sys.executable, "-m", "ops.cli", *argv], check=False)


def serve_demo() -> int:
    with tempfile.TemporaryDirectory(prefix="leaseledger-demo-") as tmp:
        leases, pid, log = Path(tmp, "dhcpd.leases"), Path(tmp, "dhcpd.pid"), Path(tmp, "log")
        leases.touch()
        heading(f"leaseledger serve -d -p {PORT} --listen {SERVER} -cf {SERVED}")
        with log.open("w") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "ops.cli", "serve", "-d", "-p", str(PORT), "--listen",
                 SERVER, "-cf", SERVED, "-lf", str(leases), "-pf", str(pid)],
                stdout=out, stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 20
            while "Server starting service." not in log.read_text():
                if server.poll() is not None or time.monotonic() > deadline:
                    print(log.read_text())
                    return 1
                time.sleep(0.1)
            print("built-in client, relaying for 10.0.0.0/24 from 127.0.0.2:")
            trio.run(clients_day)
        finally:
            server.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(10)
            if server.poll() is None:
                server.kill()
        heading("the server's log (dhcpd's lines)")
        print(re.sub(r"\n+$", "", log.read_text()))
        run_cli("leases", "-cf", SERVED, "-lf", str(leases))
        run_cli("pools", "-cf", SERVED, "-lf", str(leases))
        run_cli("audit", "-cf", SERVED, "-lf", str(leases), "10.0.0.100")
    return 0


def run(args: argparse.Namespace) -> int:
    # dhcpd resolves a relative `include` against its working directory; the
    # examples include each other by paths relative to the repository root.
    os.chdir(REPO_ROOT)
    status = check_examples()
    return serve_demo() or status
