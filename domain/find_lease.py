"""Which lease a client already has, and which free address it gets otherwise.

`find_lease` is dhcpd 4.4's `find_lease` (server/dhcp.c, spec §4.2): host declarations
first (they make the client *known*, and a fixed address on the client's network beats
everything), then the leases recorded for its client identifier, for its hardware
address, and the one at the address it asked for — each dropped when it is on another
network, belongs to someone else or sits in a pool the client may not use.  The
precedence is fixed > requested address > client-id > hardware, and a lease passed over
on a REQUEST without ciaddr is released, exactly as dhcpd does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from domain.config.declarations import HostConfig, SharedNetworkConfig, SubnetConfig
from domain.dhcp_context import RequestContext, address_option
from domain.dhcp_decision import LeaseChange, error, hardware_text
from domain.dhcp_packet import ZERO, MessageType, Opt, ipv4
from domain.failover_dhcp import mine_to_reallocate as failover_mine_to_reallocate
from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import Released
from domain.lease_lifecycle import failover_released, is_bound, released
from domain.options.standard_tables import AGENT_OPTIONS, DHCP_OPTIONS

_FREE_STATES = (BindingState.FREE, BindingState.BACKUP)
_DHCP_CODES = {name: code for name, code, _ in DHCP_OPTIONS}
_AGENT_CODES = {name: code for name, code, _ in AGENT_OPTIONS}
NOT_AVAILABLE = "requested address not available"
INCORRECT = "requested address is incorrect"
CONFLICT = "database conflict - call for help!"


@dataclass(frozen=True, slots=True)
class FixedLease:
    """A host's fixed address on the client's network: dhcpd's mocked-up static lease,
    never stored.  `lease` carries the host's uid and hardware."""

    lease: Lease
    host: HostConfig
    subnet: SubnetConfig


@dataclass(frozen=True, slots=True)
class Found:
    """What `find_lease` found.  `ours` means the requested address is this server's
    to refuse (a REQUEST for it gets a NAK); `message` is the NAK text (option 56)."""

    lease: Lease | None = None
    fixed: FixedLease | None = None
    ours: bool = False
    message: str = ""


def virgin(ip: str) -> Lease:
    """The record of a range address nobody has used yet (dhcpd creates one per
    address when it reads the ranges)."""
    return Lease(ip, binding_state=BindingState.FREE, next_binding_state=BindingState.FREE)


def lease_at(ctx: RequestContext, ip: str) -> Lease | None:
    """The lease dhcpd has for `ip`: only range addresses have one."""
    if ctx.config.pool_for_address(ipv4(ip)) is None:
        return None
    return ctx.lease(ip) or virgin(ip)


def _grouped_subnet(
    network: SharedNetworkConfig | None, address: ipaddress.IPv4Address
) -> SubnetConfig | None:
    if network is None:
        return None
    return next((s for s in network.subnets if s.contains(address)), None)


def fixed_lease_for(
    hosts: Sequence[HostConfig], network: SharedNetworkConfig | None
) -> FixedLease | None:
    """The first fixed address of these hosts that lies on `network` (dhcpd's
    `find_host_for_network` + `mockup_lease`)."""
    for host in hosts:
        for address in host.fixed_ipv4_addresses():
            subnet = _grouped_subnet(network, address)
            if subnet is not None:
                hardware = (
                    Hardware(host.hardware.htype, host.hardware.address)
                    if host.hardware is not None else None
                )
                pseudo = Lease(
                    str(address), binding_state=BindingState.FREE, hardware=hardware,
                    uid=host.client_identifier,
                )
                return FixedLease(pseudo, host, subnet)
    return None


def hosts_by_identifier(ctx: RequestContext) -> tuple[HostConfig, ...]:
    """Hosts matched through `host-identifier option`, tried option by option in the
    order the hosts name them (server/mdb.c `find_hosts_by_option`)."""
    tried: list[str] = []
    for host in ctx.config.hosts:
        identifier = host.host_identifier
        if identifier is None or identifier.option in tried:
            continue
        tried.append(identifier.option)
        space, _, name = identifier.option.rpartition(".")
        value: bytes | None = None
        if space in ("", "dhcp") and name in _DHCP_CODES:
            value = ctx.packet.option(_DHCP_CODES[name])
        elif space == "agent" and name in _AGENT_CODES:
            value = ctx.packet.agent_suboptions().get(_AGENT_CODES[name])
        if value is not None:
            found = ctx.config.host_by_identifier(identifier.option, value)
            if found is not None:
                return (found,)
    return ()


def _find_hosts(
    ctx: RequestContext, network: SharedNetworkConfig | None
) -> FixedLease | None:
    """The host lookups of `find_lease`: client-id, then hardware, then
    host-identifier; any match makes the client known."""
    uid = ctx.client_id
    if uid is not None:
        hosts = ctx.config.hosts_by_client_id(uid)
        if hosts:
            ctx.known = True
            return fixed_lease_for(hosts, network)
    for lookup in (
        lambda: ctx.config.hosts_by_hardware(ctx.packet.htype, ctx.hardware.address),
        lambda: hosts_by_identifier(ctx),
    ):
        hosts = lookup()
        if hosts:
            ctx.known = True
            return fixed_lease_for(hosts, network)
    return None


def _preference(lease: Lease) -> tuple[int, int, int]:
    """dhcpd's order of a client's leases (`client_lease_preferred`): active with the
    latest end, then expired/released, then the rest, abandoned last — each by the
    latest client transaction."""
    state = lease.binding_state
    if state is BindingState.ACTIVE:
        rank, when = 0, lease.ends or 0
    elif state in (BindingState.EXPIRED, BindingState.RELEASED):
        rank, when = 1, lease.cltt or 0
    elif state is BindingState.ABANDONED:
        rank, when = 3, lease.cltt or 0
    else:
        rank, when = 2, lease.cltt or 0
    return rank, -when, int(ipv4(lease.ip))


def mine_to_reallocate(ctx: RequestContext, lease: Lease) -> bool:
    """dhcpd's `lease_mine_to_reallocate`: without failover a free lease may go to
    anybody; in a failover pool only what this server's role and state allow."""
    service = ctx.service_of(lease)
    if service is not None:
        return failover_mine_to_reallocate(lease, service, ctx.now)
    return lease.binding_state in _FREE_STATES


def _usable_by_client(ctx: RequestContext, lease: Lease) -> bool:
    """A lease found by client id or hardware may be extended when it is (or was last)
    active, or when it could be handed out anyway."""
    return (
        lease.binding_state is BindingState.ACTIVE
        or lease.rewind_binding_state is BindingState.ACTIVE
        or mine_to_reallocate(ctx, lease)
    )


def release(ctx: RequestContext, lease: Lease, reason: str) -> None:
    """dhcpd's `release_lease` inside the lookup: the client has moved on (in a
    failover pool: RELEASED until the peer acknowledges)."""
    if not is_bound(lease):
        return
    service = ctx.service_of(lease)
    record = (failover_released(lease, ctx.now, service) if service is not None
              else released(lease, ctx.now))
    ctx.record(LeaseChange(Released, record, f"{reason}: {lease.ip}"))


def _other_client(ctx: RequestContext, lease: Lease) -> bool:
    uid = ctx.client_id
    if lease.uid:
        return uid is None or uid != lease.uid
    return lease.hardware != ctx.hardware


class _Search:
    """The state `find_lease` threads through its steps."""

    def __init__(self, ctx: RequestContext, network: SharedNetworkConfig | None) -> None:
        self.ctx = ctx
        self.network = network.name if network is not None else None
        self.no_ciaddr = ctx.packet.ciaddr == ZERO
        self.ours = False
        self.message = ""

    def allowed(self, lease: Lease) -> bool:
        return self.ctx.permitted(self.ctx.pool_of(lease))

    def by_client_id(self) -> Lease | None:
        uid = self.ctx.client_id
        if uid is None:
            return None
        for lease in sorted(self.ctx.leases_by_client_id(uid), key=_preference):
            if self.ctx.pool_of(lease) is None:
                continue
            if not _usable_by_client(self.ctx, lease):
                if self.no_ciaddr:
                    release(self.ctx, lease, "not usable by its client")
                continue
            if self.ctx.network_of(lease) != self.network:
                continue
            if not self.allowed(lease):
                if self.no_ciaddr:
                    release(self.ctx, lease, "not permitted in its pool")
                continue
            return lease
        return None

    def by_hardware(self) -> Lease | None:
        hardware = self.ctx.hardware
        if not hardware.address:
            return None
        uid = self.ctx.client_id
        for lease in sorted(self.ctx.leases_by_hardware(hardware), key=_preference):
            if not _usable_by_client(self.ctx, lease):
                continue
            if lease.binding_state not in _FREE_STATES and lease.uid and lease.uid != uid:
                continue
            if self.ctx.pool_of(lease) is None or self.ctx.network_of(lease) != self.network:
                continue
            if not self.allowed(lease):
                if self.no_ciaddr:
                    release(self.ctx, lease, "not permitted in its pool")
                continue
            return lease
        return None


def find_lease(
    ctx: RequestContext,
    network: SharedNetworkConfig | None,
    *,
    ciaddr_lease: Lease | None = None,
) -> Found:
    """dhcpd's `find_lease` for this request on `network` (see the module docstring).

    `ciaddr_lease` is the lease dhcpd already looked up by ciaddr for a unicast
    renewal; dhcpd then uses it as the requested-address lease."""
    packet, kind = ctx.packet, ctx.kind
    search = _Search(ctx, network)
    cip = packet.ciaddr if packet.ciaddr != ZERO else address_option(
        packet, Opt.REQUESTED_ADDRESS
    )
    fixed = _find_hosts(ctx, network)
    if kind is MessageType.DHCPREQUEST and fixed is not None and fixed.lease.ip != cip:
        return Found(ours=True, message=INCORRECT)
    uid_lease = search.by_client_id()
    hw_lease = search.by_hardware()
    ip_lease = ciaddr_lease if ciaddr_lease is not None else (
        lease_at(ctx, cip) if cip is not None else None
    )
    uid = ctx.client_id
    if ip_lease is not None:
        search.ours = True
        if ctx.network_of(ip_lease) != search.network:
            search.message = "requested address on bad subnet"
            ip_lease = None
    taken = ip_lease is not None and ip_lease.binding_state not in _FREE_STATES
    if ip_lease is not None and taken and _other_client(ctx, ip_lease):
        if ip_lease.binding_state is not BindingState.ACTIVE:
            search.ours = False
        ip_lease = None
    if (
        ip_lease is not None and (uid_lease or hw_lease)
        and ip_lease.binding_state is not BindingState.ACTIVE
        and ip_lease.rewind_binding_state is not BindingState.ACTIVE
        and not mine_to_reallocate(ctx, ip_lease)
        and kind is MessageType.DHCPDISCOVER
    ):
        ip_lease = None
    if (
        ip_lease is not None and ip_lease.binding_state is BindingState.ACTIVE
        and ip_lease.uid and (uid_lease is None or uid_lease.ip != ip_lease.ip)
    ):
        if uid is not None and uid == ip_lease.uid and uid_lease is not None:
            if uid_lease.binding_state is BindingState.ACTIVE:
                ctx.log.append(error(
                    f"client {hardware_text(packet.htype, ctx.hardware.address)} has"
                    f" duplicate leases on {ctx.network_of(ip_lease)}"
                ))
                if (search.no_ciaddr and kind is MessageType.DHCPREQUEST
                        and ctx.network_of(uid_lease) == search.network):
                    release(ctx, uid_lease, "duplicate lease of a client")
            uid_lease = ip_lease
        if kind is MessageType.DHCPREQUEST and fixed is not None:
            _conflict(ctx, search, cip, None, ip_lease)
            fixed = None
        if uid_lease is None or ip_lease.ip != uid_lease.ip:
            ip_lease = None
    if kind is MessageType.DHCPREQUEST and fixed is not None and ip_lease is not None:
        _conflict(ctx, search, cip, fixed, ip_lease)
        ip_lease = None
    return _choose(ctx, search, cip, fixed, ip_lease, uid_lease, hw_lease)


def _conflict(
    ctx: RequestContext, search: _Search, cip: str | None, fixed: FixedLease | None,
    ip_lease: Lease,
) -> None:
    address = cip or ZERO
    host = fixed.host.name if fixed is not None else address
    ctx.log.append(error(f"Dynamic and static leases present for {address}."))
    ctx.log.append(error(f"Remove host declaration {host} or remove {address}"))
    ctx.log.append(error(f"from the dynamic address pool for {ctx.network_of(ip_lease)}"))
    search.message = CONFLICT


def _same(first: Lease | None, second: Lease | None) -> bool:
    return first is not None and second is not None and first.ip == second.ip


def _choose(
    ctx: RequestContext, search: _Search, cip: str | None, fixed: FixedLease | None,
    ip_lease: Lease | None, uid_lease: Lease | None, hw_lease: Lease | None,
) -> Found:
    """The second half of `find_lease`: drop duplicates and unpermitted leases, then
    pick fixed > requested > client-id > hardware."""
    kind = ctx.kind
    if _same(hw_lease, uid_lease) or _same(ip_lease, hw_lease):
        hw_lease = None
    if _same(ip_lease, uid_lease):
        uid_lease = None
    if ip_lease is not None and not search.allowed(ip_lease):
        if search.no_ciaddr and ip_lease.binding_state is BindingState.ACTIVE:
            release(ctx, ip_lease, "not permitted in its pool")
        ip_lease = None
    if uid_lease is not None and not search.allowed(uid_lease):
        if search.no_ciaddr:
            release(ctx, uid_lease, "not permitted in its pool")
        uid_lease = None
    if hw_lease is not None and not search.allowed(hw_lease):
        if search.no_ciaddr:
            release(ctx, hw_lease, "not permitted in its pool")
        hw_lease = None
    if ip_lease is None:
        search.message = NOT_AVAILABLE
    if kind is MessageType.DHCPREQUEST and ip_lease is None and fixed is None:
        return Found(ours=search.ours, message=search.message)
    lease = fixed.lease if fixed is not None else None
    if ip_lease is not None:
        if lease is not None:
            if search.no_ciaddr:
                release(ctx, ip_lease, "requested address not chosen")
        else:
            lease = ip_lease
    if uid_lease is not None:
        if lease is not None:
            ctx.log.append(error(
                f"uid lease {uid_lease.ip} for client"
                f" {hardware_text(ctx.packet.htype, ctx.hardware.address)} is duplicate on"
                f" {ctx.network_of(uid_lease)}"
            ))
            if (search.no_ciaddr and kind is MessageType.DHCPREQUEST
                    and uid_lease.binding_state is BindingState.ACTIVE):
                release(ctx, uid_lease, "duplicate lease of a client")
        else:
            lease = uid_lease
    if hw_lease is not None and lease is None:
        uid = ctx.client_id
        matches = uid == hw_lease.uid if uid is not None else kind is None
        if not hw_lease.uid or matches:
            lease = hw_lease
    if lease is not None and lease.binding_state is BindingState.ABANDONED:
        if _same(lease, ip_lease) and kind is MessageType.DHCPREQUEST:
            ctx.log.append(error(f"Reclaiming REQUESTed abandoned IP address {lease.ip}."))
        else:
            return Found(ours=True, message=search.message)
    chosen_fixed = fixed if fixed is not None and lease is fixed.lease else None
    return Found(lease=lease, fixed=chosen_fixed, ours=search.ours, message=search.message)
