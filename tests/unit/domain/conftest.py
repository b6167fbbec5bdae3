"""A small DHCP lab on paper for the decision-core tests.

Configurations are parsed by the real parser (`read_config` + `build_config` on a
temporary file) and leases live in a real `LeaseView`.  `Server` plays the adapter's
part exactly as `domain.dhcp_decision` prescribes: holds applied in memory, changes
applied as if committed, the ping answered or not as the test says.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision
from domain.dhcp_discover import ping_answered
from domain.dhcp_packet import ZERO, DhcpPacket, Inbound, MessageType, Opt
from domain.dhcp_server import decide
from domain.lease import Lease
from domain.lease_lifecycle import handle_timer
from projections.lease_view import LeaseView

NOW = 1_800_000_000  # 2027-01-15, a Friday
SERVER_ADDRESS = "10.0.0.2"

ONE_SUBNET = """
authoritative;
default-lease-time 600;
max-lease-time 7200;
ping-check false;
subnet 10.0.0.0 netmask 255.255.255.0 {
  option routers 10.0.0.1;
  option domain-name-servers 10.0.0.53;
  range 10.0.0.100 10.0.0.104;
}
"""


def mac(last: int) -> bytes:
    return bytes((0x02, 0, 0, 0, 0, last))


def address(text: str) -> bytes:
    return ipaddress.IPv4Address(text).packed


def dhcp_packet(
    kind: MessageType | None,
    chaddr: bytes,
    *,
    xid: int = 0x1234,
    ciaddr: str = ZERO,
    giaddr: str = ZERO,
    requested: str | None = None,
    server_id: str | None = None,
    client_id: bytes | None = None,
    hostname: bytes | None = None,
    lease_time: int | None = None,
    prl: bytes | None = None,
    flags: int = 0,
    secs: int = 0,
    htype: int = 1,
    extra: dict[int, bytes] | None = None,
) -> DhcpPacket:
    """A client message; `kind` None makes a BOOTP request (no option 53)."""
    options: dict[int, bytes] = {}
    if kind is not None:
        options[Opt.MESSAGE_TYPE] = bytes((kind,))
    for code, value in (
        (Opt.REQUESTED_ADDRESS, address(requested) if requested else None),
        (Opt.SERVER_IDENTIFIER, address(server_id) if server_id else None),
        (Opt.CLIENT_IDENTIFIER, client_id),
        (Opt.HOST_NAME, hostname),
        (Opt.LEASE_TIME, lease_time.to_bytes(4, "big") if lease_time is not None else None),
        (Opt.PARAMETER_REQUEST_LIST, prl),
    ):
        if value is not None:
            options[code] = value
    options.update(extra or {})
    return DhcpPacket(
        op=1, htype=htype, hlen=len(chaddr), hops=0, xid=xid, secs=secs, flags=flags,
        ciaddr=ciaddr, yiaddr=ZERO, siaddr=ZERO, giaddr=giaddr, chaddr=chaddr,
        options=options, has_cookie=kind is not None or bool(extra),
    )


@dataclass
class Server:
    """The decision core with an in-memory lease view, driven like the daemon."""

    config: DhcpConfig
    interface: str = "eth0"
    interface_address: str | None = SERVER_ADDRESS
    view: LeaseView = field(init=False)

    def __post_init__(self) -> None:
        self.view = LeaseView(self.config)

    def send(
        self, packet: DhcpPacket, now: int = NOW, *, source: str = ZERO,
        ping_reply: bool = False,
    ) -> Decision:
        inbound = Inbound(packet, self.interface, source, 68, self.interface_address)
        decision = decide(inbound, self.view, self.config, now)
        for hold in decision.holds:
            self.view.hold(hold)
        for change in decision.changes:
            self.view.apply(change.lease)
        if decision.ping is not None and ping_reply:
            echoed = ping_answered(decision.ping, self.view, self.config, now)
            for change in echoed.changes:
                self.view.apply(change.lease)
            return echoed
        return decision

    def tick(self, now: int) -> list[str]:
        changes = handle_timer(self.view, self.config, now)
        for change in changes:
            self.view.apply(change.lease)
        return [change.lease.ip for change in changes]

    def lease(self, ip: str) -> Lease | None:
        return self.view.table.get(ip)

    def dora(self, chaddr: bytes, now: int = NOW, **fields: object) -> Decision:
        """DISCOVER then REQUEST for what was offered; returns the REQUEST's decision."""
        offer = self.send(dhcp_packet(MessageType.DHCPDISCOVER, chaddr, **fields), now)  # type: ignore[arg-type]
        assert offer.reply is not None, offer.log
        return self.send(
            dhcp_packet(
                MessageType.DHCPREQUEST, chaddr, requested=offer.reply.yiaddr,
                server_id=SERVER_ADDRESS, **fields,  # type: ignore[arg-type]
            ),
            now,
        )



@pytest.fixture
def make_server(make_config: Callable[[str], DhcpConfig]) -> Callable[..., Server]:
    def make(text: str = ONE_SUBNET, **kwargs: object) -> Server:
        return Server(make_config(text), **kwargs)  # type: ignore[arg-type]

    return make


def texts(decision: Decision) -> list[str]:
    """Every log line of a decision, in the order the adapter writes them."""
    return [line.text for line in (*decision.log, *decision.reply_log)]


@pytest.fixture
def packet() -> Callable[..., DhcpPacket]:
    """`packet(kind, chaddr, **fields)` builds a client message (see `dhcp_packet`)."""
    return dhcp_packet


@pytest.fixture
def hw() -> Callable[[int], bytes]:
    """`hw(n)` is the hardware address 02:00:00:00:00:nn."""
    return mac


@pytest.fixture
def lines() -> Callable[[Decision], list[str]]:
    """`lines(decision)` is every log line of a decision, in writing order."""
    return texts


@pytest.fixture
def now() -> int:
    return NOW
