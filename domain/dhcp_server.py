"""`decide()`: the DHCP server's answer to one received message, as ISC dhcpd 4.4 gives it.

This is dhcpd's `do_packet` and `dhcp()` (common/options.c, server/dhcp.c): drop what
dhcpd drops, find the shared network the client is on (link selection, subnet
selection, relay address, else the arrival interface), pick up relay options stashed
on the lease of a unicast renewal, classify the client, and hand the message to its
handler.  Everything it returns is data (`Decision`); see `domain.dhcp_decision` for
how the adapter carries it out.  Nothing here raises for any packet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from domain.classify import classify
from domain.config.declarations import SharedNetworkConfig
from domain.config.model import DhcpConfig
from domain.dhcp_bootp import bootp
from domain.dhcp_context import RequestContext, agent_option_bytes
from domain.dhcp_decision import Decision, debug, hardware_text, info
from domain.dhcp_discover import discover
from domain.dhcp_inform import inform
from domain.dhcp_packet import ZERO, AgentSubOpt, DhcpPacket, Inbound, MessageType, Opt, ipv4
from domain.dhcp_release import decline, release
from domain.dhcp_request import request
from domain.failover.service_view import FailoverService
from domain.find_lease import lease_at
from domain.lease import Lease
from domain.lease_reader import LeaseReader
from domain.reply_options import decision_lines

MAX_HLEN = 16
DHCPLEASEQUERY = 10
TYPE_NAMES = (
    "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE", "DHCPACK", "DHCPNAK",
    "DHCPRELEASE", "DHCPINFORM", "type 9", "DHCPLEASEQUERY", "DHCPLEASEUNASSIGNED",
    "DHCPLEASEUNKNOWN", "DHCPLEASEACTIVE",
)
# Server-to-client and lease-query answers: dhcpd takes no notice of them.
_IGNORED_TYPES = frozenset({2, 5, 6, DHCPLEASEQUERY, 11, 12, 13})
# Types that dhcpd still handles when it cannot locate the client's network.
_WITHOUT_NETWORK = frozenset({MessageType.DHCPREQUEST, MessageType.DHCPINFORM, DHCPLEASEQUERY})


def interface_network(inbound: Inbound, config: DhcpConfig) -> SharedNetworkConfig | None:
    """The shared network of the arrival interface: the one tied to it by name, else
    the one the start-up check attached it to, else the one holding the interface's
    address (dhcpd's setup at start)."""
    for network in config.shared_networks:
        if network.interface is not None and network.interface == inbound.interface:
            return network
    if inbound.interface_network is not None:
        return config.shared_network(inbound.interface_network)
    if inbound.interface_address is None:
        return None
    return config.shared_network_for_address(ipv4(inbound.interface_address))


def locate_network(inbound: Inbound, config: DhcpConfig) -> SharedNetworkConfig | None:
    """dhcpd's `locate_network`: link selection (82.5), else subnet selection (118),
    else giaddr pick the subnet; with none of them the arrival interface decides."""
    packet = inbound.packet
    link = packet.agent_suboptions().get(AgentSubOpt.LINK_SELECTION)
    if link is None:
        link = packet.option(Opt.SUBNET_SELECTION)
    if link is None and packet.giaddr == ZERO:
        return interface_network(inbound, config)
    if link is not None:
        if len(link) != 4:
            return None
        address = ipv4(link)
    else:
        address = ipv4(packet.giaddr)
    return config.shared_network_for_address(address)


def classify_client(ctx: RequestContext) -> None:
    """Put the client in its classes (dhcpd's `classify_client`, before any lease or
    host lookup — so `known` is false here, as in dhcpd 4.4).  A unicast renewal is
    classified with the relay options stashed on its lease.  `ctx.classes` keeps each
    matched (sub)class, spawned ones with their key, for the billing step of
    `ack_lease` (which needs the lease being answered, not known yet here)."""
    stashed = ctx.agent_options if ctx.agent_stashed else None
    found = classify(ctx.packet, ctx.config, stashed_agent_options=stashed)
    ctx.classes = found.configs
    ctx.class_names = tuple(dict.fromkeys((*found.names, *(c.name for c in found.configs))))
    ctx.log.extend(decision_lines(found.log_lines))


def _stashed_agent_options(ctx: RequestContext) -> Lease | None:
    """A unicast renewal (REQUEST with ciaddr, no giaddr, no option 82) gets the relay
    options stored on its lease, if the lease is current and the client's.  Returns the
    lease at ciaddr, which dhcpd then also uses as the requested-address lease."""
    packet = ctx.packet
    if (
        ctx.kind is not MessageType.DHCPREQUEST or packet.ciaddr == ZERO
        or packet.giaddr != ZERO or packet.option(Opt.RELAY_AGENT_INFORMATION) is not None
    ):
        return None
    lease = lease_at(ctx, packet.ciaddr)
    if lease is None or not lease.agent_options or (lease.ends or 0) < ctx.now:
        return lease
    mine = (
        ctx.client_id == lease.uid if lease.uid
        else lease.hardware == ctx.hardware
    )
    if mine:
        ctx.agent_options = agent_option_bytes(lease.agent_options)
        ctx.agent_stashed = True
    return lease


def _packet_type(packet: DhcpPacket) -> int:
    """dhcpd's packet_type: the first octet of option 53, 0 (BOOTP) without one."""
    raw = packet.option(Opt.MESSAGE_TYPE) if packet.has_cookie else None
    return raw[0] if raw else 0


def _client_or_none(packet: DhcpPacket) -> str:
    if packet.htype:
        return hardware_text(packet.htype, packet.chaddr[: packet.hlen])
    return "<no identifier>"


def decide(
    inbound: Inbound,
    view: LeaseReader,
    config: DhcpConfig,
    now: int,
    failover: Mapping[str, FailoverService] | None = None,
) -> Decision:
    """The whole answer to one received DHCP or BOOTP message.

    `failover` maps each failover peer's name to what that relationship allows right
    now; a pool whose peer is missing from it is served as dhcpd in unknown state
    (not at all).  Without a mapping every pool is served as dhcpd serves pools
    without a failover peer."""
    packet = inbound.packet
    if not packet.has_cookie and packet.options:
        # dhcpd parses options only after the magic cookie
        packet = replace(packet, options={})
        inbound = replace(inbound, packet=packet)
    if packet.hlen > MAX_HLEN:
        return Decision(log=(info("Discarding packet with bogus hlen."),))
    client_id = packet.option(Opt.CLIENT_IDENTIFIER)
    if client_id is not None and not client_id:
        return Decision(log=(debug("Dropped DHCPv4 packet with zero-length client-id"),))
    network = locate_network(inbound, config)
    ptype = _packet_type(packet)
    agent = packet.option(Opt.RELAY_AGENT_INFORMATION)
    ctx = RequestContext(
        inbound=inbound, config=config, view=view, now=now, network=network,
        interface_network=interface_network(inbound, config), agent_options=agent,
        failover=failover,
    )
    if ptype == 0:
        classify_client(ctx)
        return bootp(ctx)
    if network is None and ptype not in _WITHOUT_NETWORK:
        name = TYPE_NAMES[ptype - 1] if ptype <= len(TYPE_NAMES) else f"type {ptype}"
        return Decision(log=(info(
            f"{name} from {_client_or_none(packet)} via {ctx.via}: unknown network segment"
        ),))
    ciaddr_lease = _stashed_agent_options(ctx)
    classify_client(ctx)
    return _dispatch(ctx, ptype, ciaddr_lease)


def _dispatch(ctx: RequestContext, ptype: int, ciaddr_lease: Lease | None) -> Decision:
    if ptype == MessageType.DHCPDISCOVER:
        return discover(ctx)
    if ptype == MessageType.DHCPREQUEST:
        return request(ctx, ciaddr_lease)
    if ptype == MessageType.DHCPRELEASE:
        return release(ctx)
    if ptype == MessageType.DHCPDECLINE:
        return decline(ctx)
    if ptype == MessageType.DHCPINFORM:
        return inform(ctx)
    if ptype in _IGNORED_TYPES:
        return Decision()
    name = TYPE_NAMES[ptype - 1] if ptype <= len(TYPE_NAMES) else f"type {ptype}"
    return Decision(log=(info(
        f"{name} from {_client_or_none(ctx.packet)} via {ctx.via}: unknown packet type"
    ),))
