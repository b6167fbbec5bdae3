"""A daemon as `ServerObjects` reads it (config, lease view, failover runners), for
the OMAPI objects' unit tests and the OMAPI property tests: one failover pool whose
peer never answered, one plain pool, two leases sharing a MAC."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.config.failover_peer import FailoverPeerConfig
from domain.dhcp_decision import LeaseChange
from domain.failover.session import FailoverSession
from domain.lease import BindingState, Hardware, Lease
from projections.lease_view import LeaseView

T0 = 1_800_000_000
CONF = """\
failover peer "fo" {
  primary;
  address 10.0.0.10;
  port 647;
  peer address 10.0.0.12;
  peer port 847;
  max-response-delay 15;
  max-unacked-updates 10;
  mclt 600;
  split 128;
  load balance max seconds 3;
}
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool {
    failover peer "fo";
    range 10.0.0.100 10.0.0.103;
  }
  pool {
    range 10.0.0.200 10.0.0.203;
  }
}
"""
MAC = Hardware(1, bytes.fromhex("020000000001"))


@dataclass
class FakeRunner:
    """A relationship as the objects read it: its config, its session's machine and
    unacknowledged updates, and partner_down() as the runner does it."""

    config: FailoverPeerConfig
    partner: SimpleNamespace = field(init=False)
    downs: int = 0

    def __post_init__(self) -> None:
        session = FailoverSession.resume(self.config, None, T0)
        self.partner = SimpleNamespace(session=session, queue=SimpleNamespace(unacked={}))

    def partner_down(self) -> None:
        self.downs += 1
        self.partner.session.partner_down(T0 + 5)


def fake_server(tmp_path: Path) -> SimpleNamespace:
    """The daemon's parts, from CONF through the real parser (written in `tmp_path`)."""
    (tmp_path / "dhcpd.conf").write_text(CONF)
    config = build_config(read_config(str(tmp_path / "dhcpd.conf")).tree)
    view = LeaseView(config)
    view.apply(Lease(ip="10.0.0.200", binding_state=BindingState.ACTIVE, starts=T0,
                     ends=T0 + 600, cltt=T0, hardware=MAC, uid=b"\x01client",
                     client_hostname="laptop"))
    view.apply(Lease(ip="10.0.0.201", binding_state=BindingState.FREE, hardware=MAC))
    peer = config.failover_peer("fo")
    assert peer is not None
    server = SimpleNamespace(config=config, view=view, runners={"fo": FakeRunner(peer)},
                             logger=logging.getLogger("omapi-test"), staged=[], durable=[])

    def stage_now(changes: list[LeaseChange]) -> Callable[[], Awaitable[None]]:
        """The daemon's: applied to the view now; durable when awaited (noted)."""
        for change in changes:
            view.apply(change.lease)
        server.staged.extend(changes)

        async def stored() -> None:
            server.durable.extend(changes)
        return stored

    server.stage_now = stage_now
    server.failover_services = dict  # no service from the runners: dhcpd's unknown-state
    return server


