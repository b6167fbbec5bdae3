"""One request being decided: the packet, where it came from, and what was changed.

dhcpd keeps per-packet facts on `struct packet` (its shared network, whether the
client is known, its classes, relay options stashed from the lease) and mutates leases
in place as it goes (`release_lease` inside `find_lease`, one-lease-per-client in
`ack_lease`).  `RequestContext` holds the same facts, and `changed` collects the lease
records decided so far, so that later steps read what earlier steps wrote and the
decision can return every change in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.config.checks import dotted
from domain.config.declarations import ClassConfig, PoolConfig, SharedNetworkConfig, SubnetConfig
from domain.config.model import DhcpConfig
from domain.dhcp_decision import LeaseChange, LogLine, client_text, via_text
from domain.dhcp_packet import ZERO, AgentSubOpt, DhcpPacket, Inbound, MessageType, Opt, ipv4
from domain.eval_context import BindingScope, EvalContext
from domain.failover.service_view import FailoverService, service_for_pool
from domain.incoming_options import IncomingOptions
from domain.lease import AgentOption, Hardware, Lease
from domain.lease_reader import LeaseReader

AGENT_SUBOPTION_NAMES = {
    AgentSubOpt.CIRCUIT_ID: "circuit-id",
    AgentSubOpt.REMOTE_ID: "remote-id",
    AgentSubOpt.AGENT_ID: "agent-id",
    4: "DOCSIS-device-class",
    AgentSubOpt.LINK_SELECTION: "link-selection",
    AgentSubOpt.RELAY_PORT: "relay-port",
}
AGENT_SUBOPTION_CODES = {name: code for code, name in AGENT_SUBOPTION_NAMES.items()}


def address_option(packet: DhcpPacket, code: int) -> str | None:
    """An IPv4 address option as dhcpd reads it (the first four octets), or None."""
    raw = packet.option(code)
    if raw is None or len(raw) < 4:
        return None
    return dotted(int.from_bytes(raw[:4], "big"))  # as str(IPv4Address) writes it


def agent_options_of(raw: bytes) -> tuple[AgentOption, ...]:
    """Option 82's sub-options as a lease stores them (`option agent.NAME …`)."""
    out: list[AgentOption] = []
    i = 0
    while i + 2 <= len(raw):
        code, length = raw[i], raw[i + 1]
        if i + 2 + length > len(raw):
            return ()
        name = AGENT_SUBOPTION_NAMES.get(code, f"unknown-{code}")
        out.append(AgentOption(name, raw[i + 2 : i + 2 + length]))
        i += 2 + length
    return tuple(out)


def agent_option_bytes(options: tuple[AgentOption, ...]) -> bytes:
    """A lease's stashed relay options back in option 82 form."""
    out = bytearray()
    for option in options:
        name = option.name
        code = AGENT_SUBOPTION_CODES.get(name)
        if code is None and name.startswith("unknown-") and name[8:].isdigit():
            code = int(name[8:])
        if code is None or code > 255 or len(option.data) > 255:
            continue
        out += bytes((code, len(option.data))) + option.data
    return bytes(out)


@dataclass
class RequestContext:
    """Everything one decision works from, and the lease changes it has made.

    `network` is the shared network the packet came from (None when dhcpd cannot
    locate it).  `agent_options` is option 82 as dhcpd sees it — the packet's, or for a
    unicast renewal the lease's stashed copy (`agent_stashed`), which is then not
    echoed.  `classes` are the matched classes' scopes in match order, `class_names`
    the names `members of` permits test (a subclass counts as its superclass).
    `failover` is what each failover relationship allows now; None applies no failover
    rules at all."""

    inbound: Inbound
    config: DhcpConfig
    view: LeaseReader
    now: int
    network: SharedNetworkConfig | None
    interface_network: SharedNetworkConfig | None
    agent_options: bytes | None = None
    agent_stashed: bool = False
    classes: tuple[ClassConfig, ...] = ()
    class_names: tuple[str, ...] = ()
    known: bool = False
    failover: Mapping[str, FailoverService] | None = None
    changed: dict[str, LeaseChange] = field(default_factory=dict)
    order: list[LeaseChange] = field(default_factory=list)
    log: list[LogLine] = field(default_factory=list)
    # The view does not change while a request is decided: what it was asked is kept
    # (a decision asks after the same few addresses a dozen times each).
    _records: dict[str, Lease | None] = field(default_factory=dict, repr=False)
    _pools: dict[str, PoolConfig | None] = field(default_factory=dict, repr=False)
    _subnets: dict[str, SubnetConfig | None] = field(default_factory=dict, repr=False)
    # `inbound` never changes during a decision, and these are asked a dozen times each
    # (worked out once here: Python 3.11's cached_property takes a lock on first use)
    kind: MessageType | None = field(init=False)
    hardware: Hardware = field(init=False)
    client_id: bytes | None = field(init=False)

    def __post_init__(self) -> None:
        packet = self.inbound.packet
        self.kind = packet.message_type
        self.hardware = Hardware(packet.htype, bytes(packet.chaddr[: packet.hlen]))
        self.client_id = packet.option(Opt.CLIENT_IDENTIFIER)

    @property
    def packet(self) -> DhcpPacket:
        return self.inbound.packet

    @property
    def is_bootp(self) -> bool:
        """dhcpd's `dynamic bootp clients` test: no options, or no option 53."""
        return not self.packet.has_cookie or self.kind is None

    @property
    def via(self) -> str:
        return via_text(self.inbound)

    def client(self, lease: Lease | None = None) -> str:
        return client_text(self.packet, lease)

    def evaluation(self, lease: Lease | None = None, *, static: bool = False) -> EvalContext:
        """What the configuration's expressions see while this request is answered
        for `lease`; the lease's bindings are the variable scope `set` writes to."""
        stashed = self.agent_options if self.agent_stashed else None
        hardware = lease.hardware if lease is not None else None
        return EvalContext(
            packet=self.packet,
            known=self.known,
            lease_address=lease.ip if lease is not None else None,
            lease_ends=lease.ends if lease is not None else None,
            lease_hardware=(
                bytes((hardware.htype,)) + hardware.address if hardware is not None else None
            ),
            static_lease=static,
            classes=self.class_names,
            variables=BindingScope(lease.bindings if lease is not None else ()),
            now=self.now,
            incoming=IncomingOptions(self.packet, None, stashed),
        )

    # ---- leases as this request sees them ---------------------------------------------

    def lease(self, ip: str) -> Lease | None:
        """The record of `ip`, including what this request already changed."""
        change = self.changed.get(ip)
        if change is not None:
            return change.lease
        try:
            return self._records[ip]
        except KeyError:
            record = self._records[ip] = self.view.table.get(ip)
            return record

    def leases_by_client_id(self, uid: bytes) -> list[Lease]:
        return [self._seen(found) for found in self.view.table.by_client_id(uid)]

    def leases_by_hardware(self, hardware: Hardware) -> list[Lease]:
        return [self._seen(found) for found in self.view.table.by_hardware(hardware)]

    def _seen(self, found: Lease) -> Lease:
        """A record the view handed out whole: as this request sees it now."""
        change = self.changed.get(found.ip)
        if change is not None:
            return change.lease
        return self._records.setdefault(found.ip, found) or found

    def record(self, change: LeaseChange) -> None:
        """Remember a lease change; it is persisted before any reply."""
        self.changed[change.lease.ip] = change
        self.order.append(change)

    def changes(self) -> tuple[LeaseChange, ...]:
        return tuple(self.order)

    # ---- where leases belong -----------------------------------------------------------

    def pool_of(self, lease: Lease) -> PoolConfig | None:
        ip = lease.ip
        try:
            return self._pools[ip]
        except KeyError:
            pool = self._pools[ip] = self.config.pool_for_address(ipv4(ip))
            return pool

    def subnet_of(self, lease: Lease) -> SubnetConfig | None:
        ip = lease.ip
        try:
            return self._subnets[ip]
        except KeyError:
            subnet = self._subnets[ip] = self.config.subnet_for_lease(ipv4(ip))
            return subnet

    def network_of(self, lease: Lease) -> str | None:
        subnet = self.subnet_of(lease)
        return subnet.shared_network if subnet is not None else None

    def service_for(self, pool: PoolConfig | None) -> FailoverService | None:
        """The relationship governing `pool` (None: no failover rules apply)."""
        return service_for_pool(pool, self.failover, self.config)

    def service_of(self, lease: Lease) -> FailoverService | None:
        """The relationship governing a range lease (never ask it for a host's fixed
        address: dhcpd's mocked-up lease for one has no pool)."""
        return self.service_for(self.pool_of(lease))

    def permitted(self, pool: PoolConfig | None) -> bool:
        """dhcpd's `permitted` test of a pool's allow and deny lists for this client."""
        if pool is None:
            return True
        return pool.admits(
            known=self.known, bootp=self.is_bootp, classes=self.class_names, now=self.now
        )

    @property
    def has_giaddr(self) -> bool:
        return self.packet.giaddr != ZERO
