"""The record an offer or an ACK leaves: what dhcpd keeps, replaces and drops."""

from __future__ import annotations

from collections.abc import Callable

from domain.config.model import DhcpConfig
from domain.config.parameters import ServerParameters
from domain.dhcp_context import RequestContext
from domain.dhcp_packet import DhcpPacket, Inbound, MessageType, Opt
from domain.lease import AgentOption, BindingState, Hardware, Lease
from domain.lease_records import granted_record, lease_conflict, next_state_after, same_client
from projections.lease_view import LeaseView

MakeConfig = Callable[[str], DhcpConfig]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]

CONF = "subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.104; }"
CIRCUIT = bytes([1, 2]) + b"c9"
OLD = Lease(
    "10.0.0.100", starts=1, ends=2, tstp=2, cltt=1, binding_state=BindingState.ACTIVE,
    rewind_binding_state=BindingState.FREE, hardware=Hardware(1, bytes(6)), uid=b"old",
    client_hostname="before", bindings=(("vendor-class-identifier", b"old"), ("x", 1)),
    agent_options=(AgentOption("circuit-id", b"c1"),),
)


def record(
    config: DhcpConfig, message: DhcpPacket, now: int, old: Lease = OLD,
    offer: MessageType | None = MessageType.DHCPACK, **params: object,
) -> Lease:
    ctx = RequestContext(inbound=Inbound(message, "eth0", "0.0.0.0", 68), config=config,
                         view=LeaseView(config), now=now, network=None,
                         interface_network=None,
                         agent_options=message.option(Opt.RELAY_AGENT_INFORMATION))
    return granted_record(ctx, old, offer, ends=now + 600, reserved=False,
                          params=ServerParameters(**params), failover_pool=False)  # type: ignore[arg-type]


def test_an_ack_takes_the_clients_identity_from_the_packet(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    message = packet(MessageType.DHCPREQUEST, hw(1), client_id=b"new", hostname=b"pc\x00junk",
                     extra={Opt.VENDOR_CLASS_IDENTIFIER: b"MSFT 5.0",
                            Opt.RELAY_AGENT_INFORMATION: CIRCUIT})
    new = record(make_config(CONF), message, now)
    assert (new.starts, new.ends, new.cltt, new.tstp) == (now, now + 600, now, None)
    assert (new.binding_state, new.next_binding_state) == (BindingState.ACTIVE, BindingState.FREE)
    assert new.rewind_binding_state is BindingState.FREE
    assert (new.uid, new.hardware, new.client_hostname) == (b"new", Hardware(1, hw(1)), "pc")
    assert new.bindings == (("vendor-class-identifier", b"MSFT 5.0"), ("x", 1))
    assert new.agent_options == (AgentOption("circuit-id", b"c9"),)


def test_what_the_client_stops_sending_is_forgotten(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    new = record(make_config(CONF), packet(MessageType.DHCPREQUEST, hw(1)), now)
    assert new.uid is None and new.client_hostname is None
    assert new.agent_options == OLD.agent_options  # relay options stay until replaced


def test_ignore_client_uids_and_no_stashing(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    message = packet(MessageType.DHCPREQUEST, hw(1), client_id=b"id",
                     extra={Opt.RELAY_AGENT_INFORMATION: CIRCUIT})
    new = record(make_config(CONF), message, now, ignore_client_uids=True,
                 stash_agent_options=False)
    assert new.uid is None and new.agent_options == OLD.agent_options


def test_an_offer_keeps_the_state_and_drops_relay_options_of_a_free_lease(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    free = Lease("10.0.0.101", binding_state=BindingState.FREE, ends=now - 10,
                 on_expiry="log(\"x\");")
    message = packet(MessageType.DHCPDISCOVER, hw(2), extra={Opt.RELAY_AGENT_INFORMATION: CIRCUIT})
    offer = record(make_config(CONF), message, now, old=free, offer=MessageType.DHCPOFFER)
    assert offer.binding_state is BindingState.FREE and offer.agent_options == ()
    assert offer.on_expiry == free.on_expiry
    ack = record(make_config(CONF), message, now, old=free)
    assert ack.on_expiry is None


def test_bootp_answers_mark_the_lease_dynamic_bootp(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    new = record(make_config(CONF), packet(None, hw(3)), now, offer=None)
    assert new.dynamic_bootp and new.binding_state is BindingState.ACTIVE


def test_next_states_and_same_client() -> None:
    assert next_state_after(BindingState.ACTIVE, False) is BindingState.FREE
    assert next_state_after(BindingState.ACTIVE, True) is BindingState.EXPIRED
    assert next_state_after(BindingState.BACKUP, True) is BindingState.BACKUP
    assert next_state_after(BindingState.ABANDONED, False) is BindingState.FREE
    assert same_client(OLD, OLD) and not same_client(OLD, Lease("10.0.0.100", uid=b"old"))


def test_a_lease_conflict_is_an_active_lease_going_to_another_client() -> None:
    mac = Hardware(1, b"\x02\0\0\0\0\x01")
    other_mac = Hardware(1, b"\x02\0\0\0\0\x02")
    active = Lease("10.0.0.1", binding_state=BindingState.ACTIVE, uid=b"a", hardware=mac)
    taken = Lease("10.0.0.1", binding_state=BindingState.ACTIVE, uid=b"b", hardware=mac)
    assert lease_conflict(active, taken)
    assert not lease_conflict(active, active)
    assert not lease_conflict(active.replace(binding_state=BindingState.FREE), taken)
    # Without an old uid the hardware address decides; a new record without a uid
    # under an old one that has one is no conflict (dhcpd lets BOOTP follow DHCP).
    assert lease_conflict(active.replace(uid=None), taken.replace(hardware=other_mac))
    assert not lease_conflict(active.replace(uid=None), taken)
    assert not lease_conflict(active, taken.replace(uid=None, hardware=other_mac))
    # Abandoning the address is no conflict.
    assert not lease_conflict(active, taken.replace(binding_state=BindingState.ABANDONED))
    assert not lease_conflict(active, taken.replace(next_binding_state=BindingState.ABANDONED))
