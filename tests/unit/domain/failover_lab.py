"""One server of a failover pair, on paper, for the DHCP-core failover tests.

The configuration goes through the real parser and the leases live in a real
`LeaseView`; the `FailoverService` is built the way the daemon builds it, from the two
server states through `rules.service_state`.  `PairServer` drives `decide` as the daemon
does, passing the failover mapping on every call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision, LogLevel
from domain.dhcp_packet import ZERO, DhcpPacket, Inbound
from domain.dhcp_server import decide
from domain.failover.rules import bucket_owned_by_primary, load_balance_hash, service_state
from domain.failover.service_view import FailoverService
from domain.failover.states import Role, ServerState
from domain.lease import Lease
from projections.lease_view import LeaseView

NOW = 1_800_000_000
MCLT = 600
STOS = NOW - 10_000
PEER = "fo"
SERVER_ADDRESS = "10.0.0.2"
SPLIT_128 = bytes([0xFF] * 16 + [0x00] * 16)


def pair_config(role: Role, *, pool_extra: str = "", lbms: int = 3) -> str:
    """A /24 whose only pool (10.0.0.100-103) is shared with peer "fo"."""
    own = f"primary; mclt {MCLT}; split 128;" if role is Role.PRIMARY else "secondary;"
    return f"""
failover peer "{PEER}" {{
  {own} address 10.9.0.1; peer address 10.9.0.2; max-response-delay 30;
  max-unacked-updates 10; load balance max seconds {lbms};
}}
authoritative;
ping-check false;
default-lease-time 3600;
max-lease-time 7200;
subnet 10.0.0.0 netmask 255.255.255.0 {{
  pool {{ failover peer "{PEER}"; {pool_extra} range 10.0.0.100 10.0.0.103; }}
}}
"""


def service(
    role: Role,
    mine: ServerState = ServerState.NORMAL,
    partner: ServerState = ServerState.NORMAL,
    *,
    stos: int = STOS,
    lbms: int = 3,
    hba: bytes | None = SPLIT_128,
) -> FailoverService:
    """What the daemon would hand `decide` for these two states."""
    served, reason = service_state(mine, partner)
    return FailoverService(
        peer=PEER, role=role, my_state=mine, partner_state=partner, service=served,
        reason=reason, mclt=MCLT, hba=hba, load_balance_max_seconds=lbms, stos=stos,
    )


def mac_hashed_to(role: Role, start: int = 1) -> bytes:
    """The first 02:00:00:00:00:nn (n >= start) whose bucket `split 128` gives `role`."""
    for last in range(start, 256):
        chaddr = bytes((0x02, 0, 0, 0, 0, last))
        primary = bucket_owned_by_primary(SPLIT_128, load_balance_hash(chaddr))
        if primary is (role is Role.PRIMARY):
            return chaddr
    raise AssertionError("no such address")


@dataclass
class PairServer:
    """The decision core with an in-memory lease view and a failover mapping."""

    config: DhcpConfig
    failover: Mapping[str, FailoverService] | None
    view: LeaseView = field(init=False)

    def __post_init__(self) -> None:
        self.view = LeaseView(self.config)

    def send(self, packet: DhcpPacket, now: int = NOW) -> Decision:
        inbound = Inbound(packet, "eth0", ZERO, 68, SERVER_ADDRESS)
        decision = decide(inbound, self.view, self.config, now, self.failover)
        for hold in decision.holds:
            self.view.hold(hold)
        for change in decision.changes:
            self.view.apply(change.lease)
        return decision

    def lease(self, ip: str) -> Lease | None:
        return self.view.table.get(ip)


def logged(decision: Decision) -> list[tuple[LogLevel, str]]:
    return [(line.level, line.text) for line in (*decision.log, *decision.reply_log)]
