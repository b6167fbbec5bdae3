"""The demo's failover story, step by step, on a leaseledger pair on loopback.

Each step does what an administrator (or an outage) does to the pair, waits for the
servers to say they have dealt with it, and prints what both servers logged
meanwhile, so the output reads as the pair's day: both fresh and normal, clients
through a relay, the secondary down and back, the secondary's lease file lost and
rebuilt from the primary, and the state of both at the end.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import trio

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from adapters.leasefile.history import read_history
from domain.lease_events import LeaseEvent
from ops.demo_pair import DemoServer, LogJournal
from ops.demo_relay import Answered, PairRelay
from ops.tables import format_time
from projections.lease_view import LeaseView

PEER = "dhcp-failover"
RELAY, LINK = "127.0.0.2", "10.0.0.1"
FIRST_CLIENTS, MEANWHILE_CLIENTS = 30, 5
SHOWN_CLIENTS = 3  # per step, whose DHCP lines are printed: the rest are alike
NORMAL_SECONDS = 60.0


@dataclass
class Story:
    """The pair, where its files are, and the clients leased so far."""

    primary: DemoServer
    secondary: DemoServer
    journal: LogJournal
    folder: Path
    given: list[Answered] = field(default_factory=list)

    @property
    def servers(self) -> tuple[DemoServer, DemoServer]:
        return self.primary, self.secondary

    def shown(self, text: str) -> str:
        """Paths as the reader can retype them: the demo's folder is `$DEMO`."""
        return text.replace(str(self.folder), "$DEMO")

    def show_log(self, mark: int, clients: Sequence[str] = ()) -> None:
        """What both servers logged since `mark`, each line marked with its server.
        With `clients` (MACs), only their DHCP exchanges are shown; the others are
        alike, and counted."""
        hidden: Counter[str] = Counter()
        for label, line in self.journal.since(mark):
            if clients and line.startswith("DHCP") and not any(m in line for m in clients):
                hidden[label] += 1
                continue
            print(f"[{label}] {self.shown(line)}")
        for server in self.servers:
            if hidden[server.label]:
                print(f"[{server.label}] … {hidden[server.label]} more DHCP lines, for the "
                      f"other clients ({self.shown(str(server.log))})")

    def wait_all(self, text: str, mark: int, seconds: float) -> None:
        for server in self.servers:
            server.wait_for(text, mark, seconds)

    def run_cli(self, *argv: str) -> None:
        print(f"\n$ leaseledger {self.shown(shlex.join(argv))}")
        sys.stdout.flush()
        subprocess.run([sys.executable, "-m", "ops.cli", *argv], check=False)
        sys.stdout.flush()


def heading(text: str) -> None:
    print(f"\n== {text}")
    sys.stdout.flush()


def lease_view(server: DemoServer) -> LeaseView:
    """The server's leases as its lease file has them now (read beside the server)."""
    view = LeaseView(build_config(read_config(server.config).tree))
    view.load(event.lease for _s, _p, event in read_history(server.leases)
              if isinstance(event, LeaseEvent))
    return view


def start_pair(story: Story) -> None:
    heading("Start the pair: dhcp1 (primary) and dhcp2 (secondary), "
            "both with no lease file")
    mark, began = story.journal.mark(), time.monotonic()
    for server in story.servers:
        print(story.shown(f"$ leaseledger {shlex.join(server.serve_argv())} &"))
        server.start()
    story.wait_all(f"{PEER}: Both servers normal", mark, NORMAL_SECONDS)
    took = time.monotonic() - began
    time.sleep(2)  # the primary's pool balancing reaches the secondary meanwhile
    story.show_log(mark)
    print(f"-- both normal after {took:.1f} s; the primary gave the secondary half "
          "the free addresses")


def lease_clients(story: Story, count: int, title: str) -> list[Answered]:
    """`count` new clients through the relay, which forwards to both servers."""
    heading(title)
    mark = story.journal.mark()
    first = len(story.given) + 1
    servers = {server.label: server.port for server in story.servers}

    async def lease_all() -> list[Answered]:
        relay = await PairRelay(servers, RELAY, LINK).open()
        try:
            answered = []
            for n in range(first, first + count):
                answered.append(await relay.lease(f"02:de:00:00:00:{n:02x}", f"client-{n:02d}"))
                # Let both servers' lines of this client reach the journal before the
                # next client's, so the printed log reads client by client.
                await trio.sleep(0.05)
                story.journal.poll()
            return answered
        finally:
            relay.close()

    answered = trio.run(lease_all)
    time.sleep(0.5)  # the servers' last lines reach their log files
    story.show_log(mark, [a.mac for a in answered[:SHOWN_CLIENTS]])
    story.given += answered
    for server in [*story.servers, None]:
        got = [a for a in answered if a.server == (server and server.label)]
        if not got:
            continue
        who = f"{server.label} answered" if server else "no answer for"
        lines = textwrap.wrap(" ".join(a.address or a.mac for a in got), 76)
        print(f"-- {who} {len(got)} of {count} clients:")
        print("\n".join(f"   {line}" for line in lines))
    times = sorted({a.seconds for a in answered if a.seconds is not None})
    if times:
        print(f"-- lease time given: {', '.join(map(str, times))} s "
              "(a new lease never outlives what the peer knows by more than the MCLT)")
    return answered


def secondary_down_and_back(story: Story) -> None:
    primary, secondary = story.servers
    heading(f"dhcp2 stops (SIGTERM to PID {secondary.pid}); dhcp1 serves alone")
    mark = story.journal.mark()
    secondary.stop()
    primary.wait_for("to communications-interrupted", mark, 15)
    story.show_log(mark)
    meanwhile = lease_clients(story, MEANWHILE_CLIENTS,
                              f"{MEANWHILE_CLIENTS} more clients while dhcp2 is down")

    heading("dhcp2 starts again on its lease file")
    mark, began = story.journal.mark(), time.monotonic()
    print(story.shown(f"$ leaseledger {shlex.join(secondary.serve_argv())} &"))
    secondary.start()
    story.wait_all(f"{PEER}: Both servers normal", mark, NORMAL_SECONDS)
    took = time.monotonic() - began
    addresses = [a.address for a in meanwhile if a.address]
    arrived = wait_for_leases(secondary, addresses, 10)
    story.show_log(mark)
    print(f"-- both normal again after {took:.1f} s; the leases dhcp1 gave meanwhile, "
          "in both lease files:")
    compare(story, addresses)
    if not arrived:
        print("-- NOT all of them reached dhcp2 within 10 s")


def wait_for_leases(server: DemoServer, addresses: list[str], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        table = lease_view(server).table
        if all(table.get(ip) is not None and table.get(ip).binding_state == "active"
               for ip in addresses):
            return True
        time.sleep(0.2)
    return False


def compare(story: Story, addresses: list[str]) -> None:
    views = [lease_view(server) for server in story.servers]
    print(f"   {'ADDRESS':<12} {'dhcp1':<34} dhcp2")
    for ip in addresses:
        cells = []
        for view in views:
            lease = view.table.get(ip)
            cells.append("-" if lease is None else
                         f"{lease.binding_state} until {format_time(lease.ends)}")
        print(f"   {ip:<12} {cells[0]:<34} {cells[1]}")


def secondary_rebuilt(story: Story) -> None:
    secondary = story.secondary
    heading("dhcp2 stops again and loses its lease file; it rebuilds it from dhcp1")
    mark = story.journal.mark()
    secondary.stop()
    secondary.leases.unlink()
    print(story.shown(f"$ kill {secondary.pid}; rm {secondary.leases}"))
    print(story.shown(f"$ leaseledger {shlex.join(secondary.serve_argv())} &"))
    restarted = time.monotonic()
    secondary.start()
    secondary.wait_for(f"{PEER}: I move from recover to recover-wait", mark, 30)
    began = time.monotonic()
    secondary.wait_for(f"{PEER}: I move from recover-wait to recover-done", mark, 60)
    waited = time.monotonic() - began
    story.wait_all(f"{PEER}: Both servers normal", mark, 30)
    took = time.monotonic() - restarted
    time.sleep(1)
    story.show_log(mark)
    print(f"-- dhcp2 waited {waited:.0f} s in recover-wait (the MCLT); both normal "
          f"{took:.0f} s after the restart")
    rebuilt_history(secondary)


def rebuilt_history(server: DemoServer) -> None:
    """Where the rebuilt lease file's records came from: each address's first record
    says whether the peer sent it (the rest are later changes, ours or the peer's)."""
    events = [event for _s, _p, event in read_history(server.leases)
              if isinstance(event, LeaseEvent)]
    kinds = Counter(type(event).__name__ for event in events)
    first: dict[str, str] = {}
    for event in events:
        first.setdefault(event.lease.ip, type(event).__name__)
    print(f"-- {server.label}'s new lease file: {len(events)} lease records, by event: "
          + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()))
    print(f"-- the first record of each of its {len(first)} addresses: "
          + ", ".join(f"{kind} {n}" for kind, n in Counter(first.values()).most_common()))


def final_state(story: Story) -> None:
    heading("Both servers now")
    for server in story.servers:
        story.run_cli("pools", "-cf", server.config, "-lf", str(server.leases))
    for server in story.servers:
        story.run_cli("ctl", "-pf", str(server.pidfile), "status")
    first = next((a.address for a in story.given if a.address), None)
    if first is not None:
        secondary = story.secondary
        story.run_cli("audit", "-cf", secondary.config, "-lf", str(secondary.leases), first)
