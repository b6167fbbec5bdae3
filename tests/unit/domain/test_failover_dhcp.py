"""Failover in the answers to clients (server/dhcp.c, server/bootp.c; spec failover
§6.1, §7.7, §8): not responding, load balancing, lease ownership."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision, LogLevel
from domain.dhcp_packet import DhcpPacket, MessageType
from domain.failover.states import Role, ServerState
from domain.lease import BindingState, Hardware, Lease
from tests.unit.domain.failover_lab import (
    NOW,
    PEER,
    PairServer,
    logged,
    mac_hashed_to,
    pair_config,
    service,
)

MakeConfig = Callable[[str], DhcpConfig]
MakePacket = Callable[..., DhcpPacket]
S = ServerState
B = BindingState
P, SEC = Role.PRIMARY, Role.SECONDARY
DEBUG, INFO, ERROR = LogLevel.DEBUG, LogLevel.INFO, LogLevel.ERROR


def pair(
    make_config: MakeConfig, role: Role, mine: ServerState = S.NORMAL,
    partner: ServerState = S.NORMAL, **kwargs: object,
) -> PairServer:
    config = make_config(pair_config(role))
    return PairServer(config, {PEER: service(role, mine, partner, **kwargs)})  # type: ignore[arg-type]


def text(chaddr: bytes) -> str:
    return ":".join(f"{b:02x}" for b in chaddr)


def give_backup(server: PairServer, *ips: str) -> None:
    """Pool balancing gave these addresses to the secondary."""
    for ip in ips:
        server.view.apply(Lease(ip, binding_state=B.BACKUP, next_binding_state=B.BACKUP))


# ---- not responding (§6.1) -------------------------------------------------------------

SILENT = [
    (P, S.STARTUP, S.NORMAL, " (startup)"),
    (SEC, S.STARTUP, S.NORMAL, " (startup)"),
    (P, S.RECOVER, S.PARTNER_DOWN, " (recovering)"),
    (SEC, S.RECOVER_WAIT, S.PARTNER_DOWN, " (recover wait)"),
    (P, S.RECOVER_DONE, S.NORMAL, " (recover done)"),
    (SEC, S.POTENTIAL_CONFLICT, S.POTENTIAL_CONFLICT, " (resolving conflicts)"),
    (P, S.CONFLICT_DONE, S.NORMAL, " (resolving conflicts)"),
    (SEC, S.PAUSED, S.NORMAL, " (paused)"),
    (P, S.SHUTDOWN, S.NORMAL, " (shut down)"),
    (P, S.NORMAL, S.PARTNER_DOWN, " (peer demands: recovering)"),
    (SEC, S.COMMUNICATIONS_INTERRUPTED, S.CONFLICT_DONE,
     " (peer demands: resolving conflicts)"),
]


@pytest.mark.parametrize(("role", "mine", "partner", "reason"), SILENT)
def test_not_responding_drops_discover_and_request(
    make_config: MakeConfig, packet: MakePacket, role: Role, mine: ServerState,
    partner: ServerState, reason: str,
) -> None:
    server = pair(make_config, role, mine, partner)
    give_backup(server, "10.0.0.102", "10.0.0.103")
    chaddr = mac_hashed_to(role)
    discover = server.send(packet(MessageType.DHCPDISCOVER, chaddr))
    assert discover.reply is None and discover.holds == ()
    assert logged(discover) == [
        (INFO, f"DHCPDISCOVER from {text(chaddr)} via eth0: not responding{reason}")
    ]
    server.view.apply(Lease("10.0.0.100", ends=NOW + 100, binding_state=B.ACTIVE,
                            hardware=Hardware(1, chaddr)))
    request = server.send(packet(MessageType.DHCPREQUEST, chaddr, requested="10.0.0.100"))
    assert request.reply is None and request.changes == ()
    assert logged(request) == [(
        INFO, f"DHCPREQUEST for 10.0.0.100 from {text(chaddr)} via eth0: not responding{reason}"
    )]


@pytest.mark.parametrize(("role", "mine", "partner", "reason"), SILENT)
def test_not_responding_ignores_release_and_decline(
    make_config: MakeConfig, packet: MakePacket, role: Role, mine: ServerState,
    partner: ServerState, reason: str,
) -> None:
    server = pair(make_config, role, mine, partner)
    chaddr = mac_hashed_to(role)
    active = Lease("10.0.0.100", ends=NOW + 100, binding_state=B.ACTIVE,
                   hardware=Hardware(1, chaddr))
    server.view.apply(active)
    release = server.send(packet(MessageType.DHCPRELEASE, chaddr, ciaddr="10.0.0.100"))
    assert logged(release) == [(INFO, f"{PEER}: ignored{reason}")]
    decline = server.send(packet(MessageType.DHCPDECLINE, chaddr, requested="10.0.0.100"))
    assert logged(decline) == [(INFO, f"{PEER}: ignored{reason}")]
    assert release.changes == () and decline.changes == ()
    assert server.lease("10.0.0.100") == active


def test_a_peer_missing_from_the_mapping_is_my_state_unknown(
    make_config: MakeConfig, packet: MakePacket, hw: Callable[[int], bytes],
) -> None:
    server = PairServer(make_config(pair_config(P)), {})
    decision = server.send(packet(MessageType.DHCPDISCOVER, hw(1)))
    assert decision.reply is None
    assert logged(decision) == [
        (INFO, "DHCPDISCOVER from 02:00:00:00:00:01 via eth0: not responding (my state unknown)")
    ]


def test_without_a_mapping_a_failover_pool_is_served_as_before(
    make_config: MakeConfig, packet: MakePacket,
) -> None:
    server = PairServer(make_config(pair_config(SEC)), None)
    decision = server.send(packet(MessageType.DHCPDISCOVER, mac_hashed_to(P)))
    assert decision.reply is not None and decision.reply.yiaddr == "10.0.0.100"


# ---- load balancing (§8.3) -------------------------------------------------------------

BALANCE = [
    # role, my state, client hashed to, peer has free leases, expected
    (P, S.NORMAL, P, True, "offer"),
    (P, S.NORMAL, SEC, True, "load balance"),
    (P, S.NORMAL, SEC, False, "cancel"),
    (SEC, S.NORMAL, SEC, True, "offer"),
    (SEC, S.NORMAL, P, True, "load balance"),
    (SEC, S.NORMAL, P, False, "cancel"),
    (P, S.COMMUNICATIONS_INTERRUPTED, SEC, True, "offer"),
    (SEC, S.COMMUNICATIONS_INTERRUPTED, P, True, "offer"),
    (P, S.PARTNER_DOWN, SEC, True, "offer"),
    (SEC, S.PARTNER_DOWN, P, True, "offer"),
]


@pytest.mark.parametrize(("role", "mine", "client", "peer_free", "expected"), BALANCE)
def test_discover_is_load_balanced_only_while_cooperating(
    make_config: MakeConfig, packet: MakePacket, role: Role, mine: ServerState,
    client: Role, peer_free: bool, expected: str,
) -> None:
    server = pair(make_config, role, mine)
    # leave this server two addresses of its own, and the peer two or none
    if role is P:
        give_backup(server, *(("10.0.0.102", "10.0.0.103") if peer_free else ()))
    else:
        give_backup(server, "10.0.0.100", "10.0.0.101",
                    *(() if peer_free else ("10.0.0.102", "10.0.0.103")))
    chaddr = mac_hashed_to(client)
    decision = server.send(packet(MessageType.DHCPDISCOVER, chaddr))
    msg = f"DHCPDISCOVER from {text(chaddr)} via eth0"
    if expected == "load balance":
        assert decision.reply is None
        assert logged(decision) == [(DEBUG, f"{msg}: load balance to peer {PEER}")]
        return
    assert decision.reply is not None
    assert decision.reply.yiaddr in ("10.0.0.100", "10.0.0.101")
    cancel = (DEBUG, f"{msg}: cancel load balance to peer {PEER} - no free leases")
    assert (cancel in logged(decision)) is (expected == "cancel")


def test_a_client_that_waited_long_enough_is_answered_by_both(
    make_config: MakeConfig, packet: MakePacket,
) -> None:
    server = pair(make_config, P)
    give_backup(server, "10.0.0.103")
    decision = server.send(packet(MessageType.DHCPDISCOVER, mac_hashed_to(SEC), secs=4))
    assert decision.reply is not None and decision.reply.yiaddr == "10.0.0.100"


def test_a_secondary_without_the_peer_hba_thinks_no_client_is_its_own(
    make_config: MakeConfig, packet: MakePacket,
) -> None:
    server = pair(make_config, SEC, hba=None)
    give_backup(server, "10.0.0.100")
    decision = server.send(packet(MessageType.DHCPDISCOVER, mac_hashed_to(SEC)))
    assert decision.reply is None and "load balance to peer" in logged(decision)[0][1]


# ---- REQUEST and lease ownership (§7.7, §8.3) ------------------------------------------

def test_a_request_is_never_load_balanced(
    make_config: MakeConfig, packet: MakePacket,
) -> None:
    server = pair(make_config, P)
    chaddr = mac_hashed_to(SEC)
    server.view.apply(Lease("10.0.0.100", ends=NOW + 100, binding_state=B.ACTIVE,
                            hardware=Hardware(1, chaddr)))
    decision = server.send(packet(MessageType.DHCPREQUEST, chaddr, ciaddr="10.0.0.100"))
    assert decision.reply is not None and decision.changes[0].lease.binding_state is B.ACTIVE


OWNED = [
    # role, my state, lease state, rewind, answered?, line
    (P, S.NORMAL, B.BACKUP, None, False, "lease owned by peer"),
    (SEC, S.NORMAL, B.FREE, None, False, "lease owned by peer"),
    (P, S.NORMAL, B.FREE, None, True, None),
    (SEC, S.NORMAL, B.BACKUP, None, True, None),
    (SEC, S.PARTNER_DOWN, B.FREE, None, True, None),
    (P, S.COMMUNICATIONS_INTERRUPTED, B.BACKUP, None, False, "lease owned by peer"),
    (P, S.NORMAL, B.EXPIRED, B.ACTIVE, True, None),
    (P, S.NORMAL, B.EXPIRED, B.FREE, True, None),
    (SEC, S.NORMAL, B.EXPIRED, B.FREE, False, "lease in transition state expired"),
    (P, S.NORMAL, B.RELEASED, B.RELEASED, False, "lease in transition state released"),
    (SEC, S.RECOVER_DONE, B.FREE, None, False, "not responding (recover done)"),
]


@pytest.mark.parametrize(("role", "mine", "state", "rewind", "answered", "line"), OWNED)
def test_a_request_is_answered_only_for_a_lease_this_server_may_give(
    make_config: MakeConfig, packet: MakePacket, role: Role, mine: ServerState,
    state: BindingState, rewind: BindingState | None, answered: bool, line: str | None,
) -> None:
    # partner-down began long ago: the peer's free leases are this server's by now
    server = pair(make_config, role, mine)
    chaddr = mac_hashed_to(role)
    server.view.apply(Lease("10.0.0.101", ends=NOW - 5000, binding_state=state,
                            rewind_binding_state=rewind, hardware=Hardware(1, chaddr)))
    decision = server.send(packet(MessageType.DHCPREQUEST, chaddr, requested="10.0.0.101"))
    assert (decision.reply is not None) is answered
    if line is not None:
        assert logged(decision)[-1][1] == (
            f"DHCPREQUEST for 10.0.0.101 from {text(chaddr)} via eth0: {line}"
        )


def test_a_request_for_a_reset_lease_is_naked(
    make_config: MakeConfig, packet: MakePacket,
) -> None:
    server = pair(make_config, P)
    chaddr = mac_hashed_to(P)
    server.view.apply(Lease("10.0.0.101", ends=NOW - 5, binding_state=B.RESET,
                            hardware=Hardware(1, chaddr)))
    decision = server.send(packet(MessageType.DHCPREQUEST, chaddr, requested="10.0.0.101"))
    assert decision.reply is not None
    assert decision.reply.message_type is MessageType.DHCPNAK
    assert (DEBUG, f"DHCPREQUEST for 10.0.0.101 from {text(chaddr)} via eth0:"
            " lease reset by administrator") in logged(decision)


# ---- BOOTP (server/bootp.c) ------------------------------------------------------------

BOOTP = [
    (P, S.NORMAL, P, "answered"),
    (P, S.NORMAL, SEC, "load balance"),
    (SEC, S.NORMAL, P, "load balance"),
    (SEC, S.COMMUNICATIONS_INTERRUPTED, P, "answered"),
    (P, S.STARTUP, P, "not responding (startup)"),
]


@pytest.mark.parametrize(("role", "mine", "client", "expected"), BOOTP)
def test_bootp_is_load_balanced_without_taking_clients_back(
    make_config: MakeConfig, packet: MakePacket, role: Role, mine: ServerState,
    client: Role, expected: str,
) -> None:
    config = make_config(pair_config(role))
    server = PairServer(config, {PEER: service(role, mine)})
    if role is SEC:
        give_backup(server, "10.0.0.100")
    chaddr = mac_hashed_to(client)
    decision = server.send(packet(None, chaddr))
    if expected == "answered":
        assert decision.reply is not None and decision.reply.yiaddr == "10.0.0.100"
        # BOOTP skips the MCLT cap: the lease is infinite
        assert decision.changes[-1].lease.ends == 0x7FFFFFFF
        return
    assert decision.reply is None
    assert logged(decision) == [(INFO, f"BOOTREQUEST from {text(chaddr)} via eth0: {expected}"
                                 if expected != "load balance" else
                                 f"BOOTREQUEST from {text(chaddr)} via eth0: load balance"
                                 f" to peer {PEER}")]


# ---- server-id-check and check-secs-byte-order (global statements) ---------------------

def request_naming(server: PairServer, packet: MakePacket, sid: str | None) -> Decision:
    chaddr = mac_hashed_to(P)
    server.view.apply(Lease("10.0.0.101", ends=NOW + 100, binding_state=B.ACTIVE,
                            hardware=Hardware(1, chaddr)))
    return server.send(packet(MessageType.DHCPREQUEST, chaddr, requested="10.0.0.101",
                              server_id=sid))


@pytest.mark.parametrize(("statements", "sid", "answered"), [
    ("", "10.9.0.2", True),  # without server-id-check the server id is not compared
    ("server-id-check true;", "10.9.0.2", False),  # the peer's: not ours
    ("server-id-check true;", "10.0.0.2", True),  # the arrival interface's address
    ("server-id-check true;", None, True),
    ("server-id-check true;", "0.0.0.0", True),
    ("server-id-check true; server-identifier 10.0.0.9;", "10.0.0.9", True),
    ("server-id-check true; server-identifier 10.0.0.9;", "10.0.0.2", False),
])
def test_server_id_check_drops_a_request_meant_for_the_peer(
    make_config: MakeConfig, packet: MakePacket, statements: str, sid: str | None,
    answered: bool,
) -> None:
    config = make_config(statements + pair_config(P))
    assert config.global_parameters.server_id_check is ("server-id-check" in statements)
    server = PairServer(config, {PEER: service(P)})
    decision = request_naming(server, packet, sid)
    assert (decision.reply is not None) is answered
    if not answered:
        assert logged(decision)[-1] == (
            DEBUG, f"DHCPREQUEST for 10.0.0.101 ({sid}) from {text(mac_hashed_to(P))}"
            " via eth0: not our server id")


@pytest.mark.parametrize(("statements", "answered"), [
    ("", True),  # 0x0200 read as 512 s: past load balance max seconds, both answer
    ("check-secs-byte-order true;", False),  # read as 2 s: the peer's client
])
def test_check_secs_byte_order_reads_a_swapped_secs_field(
    make_config: MakeConfig, packet: MakePacket, statements: str, answered: bool,
) -> None:
    server = PairServer(make_config(statements + pair_config(P)), {PEER: service(P)})
    give_backup(server, "10.0.0.103")
    decision = server.send(packet(MessageType.DHCPDISCOVER, mac_hashed_to(SEC), secs=0x0200))
    assert (decision.reply is not None) is answered
