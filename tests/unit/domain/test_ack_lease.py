"""ack_lease: the admission checks, one-lease-per-client, pool windows and ping rules,
and the failover lease-time rule (spec failover §7.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision
from domain.dhcp_packet import DhcpPacket, MessageType, Opt
from domain.failover.states import Role, ServerState
from domain.lease import BillingClass, BindingState, Hardware, Lease
from domain.lease_events import Acked, Released
from tests.unit.domain.failover_lab import (
    MCLT,
    NOW,
    PEER,
    PairServer,
    mac_hashed_to,
    pair_config,
    service,
)

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

BASE = """
authoritative;
ping-check false;
host known1 { hardware ethernet 02:00:00:00:00:0a; option host-name "kn1"; }
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.104; }
subnet 10.1.0.0 netmask 255.255.255.0 { range 10.1.0.10 10.1.0.14; }
"""


def test_min_secs_drops_an_impatient_discover(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server("min-secs 5;\n" + BASE)
    early = server.send(packet(MessageType.DHCPDISCOVER, hw(1), secs=2))
    assert early.reply is None and early.holds == ()
    assert lines(early) == [
        "DHCPDISCOVER from 02:00:00:00:00:01 via eth0: configured min-secs value (5) is greater"
        " than secs field (2).  message dropped."
    ]
    assert server.send(packet(MessageType.DHCPDISCOVER, hw(1), secs=5)).reply is not None


def test_deny_unknown_clients_outside_pools_refuses_after_choosing(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server("deny unknown-clients;\n" + BASE)
    refused = server.send(packet(MessageType.DHCPDISCOVER, hw(1)))
    assert lines(refused) == ["DHCPDISCOVER from 02:00:00:00:00:01 via eth0: unknown client"]
    welcome = server.send(packet(MessageType.DHCPDISCOVER, hw(0x0A)))
    assert welcome.reply.options[Opt.HOST_NAME] == b"kn1"
    quiet = make_server("ignore unknown-clients;\n" + BASE)
    silent = quiet.send(packet(MessageType.DHCPDISCOVER, hw(1)))
    assert silent.reply is None and lines(silent) == []


def test_deny_booting_refuses_everybody(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server("deny booting;\n" + BASE)
    assert lines(server.send(packet(MessageType.DHCPDISCOVER, hw(0x0A)))) == [
        "DHCPDISCOVER from 02:00:00:00:00:0a via eth0: booting disallowed"
    ]


def test_one_lease_per_client_releases_the_clients_lease_elsewhere(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    def elsewhere(server: Any) -> Lease:
        server.view.apply(Lease("10.1.0.10", starts=now, ends=now + 900, cltt=now,
                                binding_state=BindingState.ACTIVE, uid=b"\x01me",
                                hardware=Hardware(1, hw(2))))
        # the offer puts the client's identity on the lease; the REQUEST acts on it
        assert server.dora(hw(2), client_id=b"\x01me").changes[-1].event is Acked
        return server.lease("10.1.0.10")

    assert elsewhere(make_server(BASE)).binding_state is BindingState.ACTIVE
    strict = make_server("one-lease-per-client true;\n" + BASE)
    assert elsewhere(strict).binding_state is BindingState.FREE


def test_one_lease_per_client_event_order(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server("one-lease-per-client true;\n" + BASE)
    server.view.apply(Lease("10.1.0.11", starts=now, ends=now + 900, cltt=now,
                            binding_state=BindingState.ACTIVE, hardware=Hardware(1, hw(3))))
    cold = server.send(packet(MessageType.DHCPREQUEST, hw(3), requested="10.0.0.101"))
    # a never-offered lease carries nobody's identity, so nothing is found to release
    assert [(c.event, c.lease.ip) for c in cold.changes] == [(Acked, "10.0.0.101")]
    server.view.apply(Lease("10.1.0.11", starts=now, ends=now + 900, cltt=now,
                            binding_state=BindingState.ACTIVE, hardware=Hardware(1, hw(3))))
    renewed = server.send(packet(MessageType.DHCPREQUEST, hw(3), requested="10.0.0.101"),
                          now + 20000)
    assert [(c.event, c.lease.ip) for c in renewed.changes] == [
        (Released, "10.1.0.11"), (Acked, "10.0.0.101"),
    ]


def test_deny_after_caps_the_lease_at_the_pool_end(
    make_server: MakeServer, hw: Hw, now: int,
) -> None:
    closing = f"""
    authoritative; ping-check false; min-lease-time 30;
    subnet 10.0.0.0 netmask 255.255.255.0 {{
      pool {{ deny after epoch {now + 1000}; range 10.0.0.100 10.0.0.104; }}
    }}
    """
    ack = make_server(closing).dora(hw(4))
    assert int.from_bytes(ack.reply.options[Opt.LEASE_TIME], "big") == 1000


def test_ping_rules_follow_the_last_client_transaction(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server(BASE.replace("ping-check false;", ""))
    first = server.send(packet(MessageType.DHCPDISCOVER, hw(5)))
    assert first.ping is not None
    soon = server.send(packet(MessageType.DHCPDISCOVER, hw(5)), now + 30)
    assert soon.reply.yiaddr == "10.0.0.100" and soon.ping is None
    later = server.send(packet(MessageType.DHCPDISCOVER, hw(5)), now + 200)
    assert later.ping is not None
    server.send(packet(MessageType.DHCPREQUEST, hw(5), requested="10.0.0.100"), now + 200)
    bound = server.send(packet(MessageType.DHCPDISCOVER, hw(5)), now + 300)
    assert bound.reply.yiaddr == "10.0.0.100" and bound.ping is None


# ---- failover: the MCLT rule (spec failover §7.2) --------------------------------------

DESIRED = 3600  # default-lease-time of the pair's configuration

MCLT_RULE = [
    # tsfp of the lease before the ACK, lease time granted
    (None, MCLT),  # never acknowledged by the peer: MCLT only
    (NOW - 1, MCLT),  # acknowledged, but that potential expiry has passed
    (NOW + 1000, 1000 + MCLT),  # up to tsfp + MCLT
    (NOW + DESIRED - MCLT, DESIRED),  # exactly reaches the desired time
    (NOW + 100_000, DESIRED),
]


@pytest.mark.parametrize("role", [Role.PRIMARY, Role.SECONDARY])
@pytest.mark.parametrize(("tsfp", "granted"), MCLT_RULE)
def test_an_ack_is_capped_by_the_mclt_and_tells_the_peer_its_potential_expiry(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket, role: Role,
    tsfp: int | None, granted: int,
) -> None:
    server = PairServer(make_config(pair_config(role)), {PEER: service(role)})
    client = mac_hashed_to(role)
    own = BindingState.FREE if role is Role.PRIMARY else BindingState.BACKUP
    server.view.apply(Lease("10.0.0.101", ends=NOW - 50, tstp=NOW - 50, tsfp=tsfp,
                            atsfp=tsfp, binding_state=own, hardware=Hardware(1, client)))
    ack = server.send(packet(MessageType.DHCPREQUEST, client, requested="10.0.0.101"))
    assert ack.reply is not None and ack.reply.option(Opt.LEASE_TIME) == granted.to_bytes(4, "big")
    new = ack.changes[-1].lease
    tstp = NOW + DESIRED + granted // 2
    assert (new.ends, new.tstp, new.atsfp) == (NOW + granted, tstp, None)
    # a tsfp beyond the new potential expiry is pulled back to it
    assert new.tsfp == (None if tsfp is None else min(tsfp, tstp))
    assert (new.binding_state, new.next_binding_state, new.rewind_binding_state) == (
        BindingState.ACTIVE, BindingState.EXPIRED, BindingState.ACTIVE
    )


def test_an_offer_is_capped_but_keeps_the_old_peer_times(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket,
) -> None:
    server = PairServer(make_config(pair_config(Role.PRIMARY)), {PEER: service(Role.PRIMARY)})
    server.view.apply(Lease("10.0.0.100", tstp=NOW - 50, tsfp=NOW - 40, atsfp=NOW - 40,
                            binding_state=BindingState.FREE))
    offer = server.send(packet(MessageType.DHCPDISCOVER, mac_hashed_to(Role.PRIMARY)))
    assert offer.reply is not None and offer.reply.option(Opt.LEASE_TIME) == MCLT.to_bytes(4, "big")
    [hold] = offer.holds
    assert (hold.ends, hold.tstp) == (NOW + 120, NOW - 50)
    assert (hold.tsfp, hold.atsfp) == (NOW - 40, NOW - 40)


def test_an_ack_while_not_cooperating_keeps_the_rewind_state(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket,
) -> None:
    services = {PEER: service(Role.PRIMARY, ServerState.COMMUNICATIONS_INTERRUPTED)}
    server = PairServer(make_config(pair_config(Role.PRIMARY)), services)
    client = mac_hashed_to(Role.SECONDARY)  # no load balancing while not cooperating
    server.view.apply(Lease("10.0.0.101", ends=NOW - 50, binding_state=BindingState.FREE,
                            rewind_binding_state=BindingState.FREE))
    offer = server.send(packet(MessageType.DHCPDISCOVER, client))
    assert offer.reply is not None and offer.reply.yiaddr == "10.0.0.100"
    ack = server.send(packet(MessageType.DHCPREQUEST, client, requested="10.0.0.101"))
    assert ack.changes[-1].lease.rewind_binding_state is BindingState.FREE


def test_one_lease_per_client_releases_the_old_failover_lease_as_released(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket,
) -> None:
    text = pair_config(Role.PRIMARY, pool_extra="one-lease-per-client true;")
    server = PairServer(make_config(text), {PEER: service(Role.PRIMARY)})
    client = mac_hashed_to(Role.PRIMARY)
    server.view.apply(Lease("10.0.0.103", ends=NOW + 500, binding_state=BindingState.ACTIVE,
                            hardware=Hardware(1, client)))
    server.view.apply(Lease("10.0.0.101", ends=NOW - 500, binding_state=BindingState.FREE,
                            hardware=Hardware(1, client)))
    ack = server.send(packet(MessageType.DHCPREQUEST, client, requested="10.0.0.101"))
    old = next(c.lease for c in ack.changes if c.lease.ip == "10.0.0.103")
    assert (old.binding_state, old.next_binding_state) == (BindingState.RELEASED, BindingState.FREE)


# ---- lease limits (billing) -------------------------------------------------------------

PER_CIRCUIT = """
authoritative;
ping-check false;
default-lease-time 600;
one-lease-per-client true;
class "perrelay" { spawn with option agent.circuit-id; lease limit 2; }
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.109; }
"""
RELAY = "10.0.0.1"
CIRCUIT_A = BillingClass("perrelay", b"circ-A")


def on_circuit(circuit: bytes) -> dict[str, Any]:
    """The fields of a message relayed from `circuit` (option 82, circuit-id)."""
    return {"giaddr": RELAY, "extra": {82: bytes((1, len(circuit))) + circuit}}


def test_the_third_lease_on_a_circuit_is_refused_with_dhcpds_line(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(PER_CIRCUIT)
    for n in (1, 2):
        acked = server.dora(hw(n), **on_circuit(b"circ-A"))
        assert acked.changes[-1].lease.billing == CIRCUIT_A
    assert server.view.billing.count(CIRCUIT_A) == 2
    third = server.send(packet(MessageType.DHCPDISCOVER, hw(3), **on_circuit(b"circ-A")))
    assert third.reply is None and third.holds == () and third.changes == ()
    assert lines(third) == [
        "DHCPDISCOVER from 02:00:00:00:00:03 via 10.0.0.1: no available billing: lease limit"
        " reached in all matching classes (last: 'perrelay')"
    ]
    request = server.send(packet(MessageType.DHCPREQUEST, hw(3), requested="10.0.0.105",
                                 **on_circuit(b"circ-A")))
    assert request.reply is None and lines(request)[-1].endswith(
        "no available billing: lease limit reached in all matching classes (last: 'perrelay')"
    )
    # another circuit has its own subclass, and its own room
    other = server.dora(hw(3), **on_circuit(b"circ-B"))
    assert other.changes[-1].lease.billing == BillingClass("perrelay", b"circ-B")


def test_an_offer_checks_the_limit_but_only_the_ack_bills(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(PER_CIRCUIT.replace("lease limit 2", "lease limit 1"))
    offers = [server.send(packet(MessageType.DHCPDISCOVER, hw(n), **on_circuit(b"circ-A")))
              for n in (1, 2)]
    assert all(o.reply is not None and o.holds[0].billing is None for o in offers)
    assert server.view.billing.count(CIRCUIT_A) == 0
    first, second = (
        server.send(packet(MessageType.DHCPREQUEST, hw(n), requested=o.reply.yiaddr,
                           server_id="10.0.0.2", **on_circuit(b"circ-A")))
        for n, o in zip((1, 2), offers, strict=True)
    )
    assert first.reply is not None and first.changes[-1].lease.billing == CIRCUIT_A
    assert second.reply is None and "no available billing" in lines(second)[-1]


def test_a_billed_lease_renews_in_a_full_class_and_keeps_its_billing(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server(PER_CIRCUIT)
    for n in (1, 2):
        server.dora(hw(n), **on_circuit(b"circ-A"))
    ip = server.view.table.by_hardware(Hardware(1, hw(1)))[0].ip
    renewed = server.send(packet(MessageType.DHCPREQUEST, hw(1), requested=ip,
                                 **on_circuit(b"circ-A")), now + 400)
    assert renewed.reply is not None and renewed.changes[-1].lease.billing == CIRCUIT_A
    assert server.view.billing.count(CIRCUIT_A) == 2
    # moved to another circuit: billed there, and its old class has room again
    moved = server.send(packet(MessageType.DHCPREQUEST, hw(1), requested=ip,
                               **on_circuit(b"circ-B")), now + 500)
    assert moved.changes[-1].lease.billing == BillingClass("perrelay", b"circ-B")
    assert server.view.billing.count(CIRCUIT_A) == 1


def test_release_and_expiry_give_the_slot_back(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server(PER_CIRCUIT)
    ips = [server.dora(hw(n), **on_circuit(b"circ-A")).reply.yiaddr for n in (1, 2)]
    server.send(packet(MessageType.DHCPRELEASE, hw(1), ciaddr=ips[0], server_id="10.0.0.2"))
    assert server.lease(ips[0]).billing is None
    assert server.view.billing.count(CIRCUIT_A) == 1
    assert server.dora(hw(3), **on_circuit(b"circ-A")).reply is not None
    full = server.send(packet(MessageType.DHCPDISCOVER, hw(4), **on_circuit(b"circ-A")))
    assert full.reply is None
    server.tick(now + 10_000)  # every lease has expired
    assert server.view.billing.count(CIRCUIT_A) == 0
    assert server.lease(ips[1]).billing is None
    assert server.dora(hw(4), **on_circuit(b"circ-A")).reply is not None


def test_one_lease_per_client_frees_the_clients_old_slot_first(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server(PER_CIRCUIT.replace("lease limit 2", "lease limit 1"))
    server.view.apply(Lease("10.0.0.109", starts=now, ends=now + 900, cltt=now,
                            binding_state=BindingState.ACTIVE, hardware=Hardware(1, hw(1)),
                            billing=CIRCUIT_A))
    # an earlier lease of the client, gone free: the REQUEST finds the client by it
    server.view.apply(Lease("10.0.0.100", starts=now - 900, ends=now - 300,
                            binding_state=BindingState.FREE, hardware=Hardware(1, hw(1))))
    moved = server.send(packet(MessageType.DHCPREQUEST, hw(1), requested="10.0.0.100",
                               **on_circuit(b"circ-A")))
    assert [(c.event, c.lease.ip, c.lease.billing) for c in moved.changes] == [
        (Released, "10.0.0.109", None), (Acked, "10.0.0.100", CIRCUIT_A),
    ]


def test_a_fixed_address_is_never_billed(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    server = make_server(PER_CIRCUIT.replace("lease limit 2", "lease limit 1") + """
        host fixed { hardware ethernet 02:00:00:00:00:07; fixed-address 10.0.0.7; }
    """)
    server.dora(hw(1), **on_circuit(b"circ-A"))
    fixed = server.send(packet(MessageType.DHCPDISCOVER, hw(7), **on_circuit(b"circ-A")))
    assert fixed.reply is not None and fixed.reply.yiaddr == "10.0.0.7"


def test_a_new_billing_rules_out_answering_the_lease_unchanged(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    def renew_young_lease(conf: str) -> Decision:
        server = make_server(conf)
        server.view.apply(Lease("10.0.0.100", starts=now - 10, ends=now + 590, cltt=now - 10,
                                binding_state=BindingState.ACTIVE, hardware=Hardware(1, hw(1))))
        return server.send(packet(MessageType.DHCPREQUEST, hw(1), requested="10.0.0.100",
                                  **on_circuit(b"circ-A")))

    unlimited = renew_young_lease(PER_CIRCUIT.replace("lease limit 2;", ""))
    assert unlimited.changes == () and "reuse_lease" in lines(unlimited)[0]
    billed = renew_young_lease(PER_CIRCUIT)
    assert [c.lease.billing for c in billed.changes] == [CIRCUIT_A]
    assert not any("reuse_lease" in line for line in lines(billed))


# ---- `log` statements and `on commit` (dhcpd runs them in ack_lease) -------------------

STATEMENTS = """
authoritative;
ping-check false;
log(info, "global");
class "ethernet" { match if substring(hardware, 0, 1) = 1; log(info, "class"); }
subnet 10.0.0.0 netmask 255.255.255.0 {
  log("subnet, at debug by default");
  pool {
    range 10.0.0.100 10.0.0.104;
    on commit {
      set seen = "yes";
      log(info, concat("commit ", binary-to-ascii(10, 8, ".", leased-address)));
    }
  }
}
"""


def test_log_statements_write_before_the_requests_line_in_scope_order(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    server = make_server(STATEMENTS)
    offer = server.send(packet(MessageType.DHCPDISCOVER, hw(1)))
    assert [(line.level.value, line.text) for line in offer.log] == [
        ("info", "global"), ("debug", "subnet, at debug by default"), ("info", "class"),
        ("info", "DHCPDISCOVER from 02:00:00:00:00:01 via eth0"),
    ]
    # The offer is no commit: its record (held in memory) keeps no `set`.
    assert offer.holds[0].bindings == ()


def test_on_commit_runs_at_the_ack_its_log_first_and_its_set_into_the_record(
    make_server: MakeServer, hw: Hw, lines: Lines,
) -> None:
    server = make_server(STATEMENTS)
    ack = server.dora(hw(1))
    assert lines(ack) == [
        "global", "subnet, at debug by default", "class", "commit 10.0.0.100",
        "DHCPREQUEST for 10.0.0.100 (10.0.0.2) from 02:00:00:00:00:01 via eth0",
        "DHCPACK on 10.0.0.100 to 02:00:00:00:00:01 via eth0",
    ]
    assert ack.changes[0].lease.bindings == (("seen", b"yes"),)
    assert server.lease("10.0.0.100").binding("seen") == b"yes"


def test_a_drop_after_the_scopes_ran_still_writes_their_log_lines(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server("min-secs 5;\n" + STATEMENTS)
    early = server.send(packet(MessageType.DHCPDISCOVER, hw(1), secs=2))
    assert early.reply is None
    assert lines(early)[:3] == ["global", "subnet, at debug by default", "class"]
    assert "message dropped" in lines(early)[3]


COMMANDS = 'execute("/bin/true", "global");\n' + BASE


def test_a_request_dropped_or_refused_after_the_scopes_ran_still_runs_their_commands(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    # dhcpd runs an `execute` as it runs the statements, whatever it decides next.
    for config, last_words in (("min-secs 5;\n", "message dropped."),
                               ("deny unknown-clients;\n", "unknown client")):
        decision = make_server(config + COMMANDS).send(
            packet(MessageType.DHCPDISCOVER, hw(1), secs=2))
        assert decision.reply is None
        assert [(c.command, c.arguments) for c in decision.commands] == [
            ("/bin/true", (b"global",))]
        at = decision.commands[0].at  # the command runs after its argv lines
        assert decision.log[at - 1].text == "execute_statement argv[1] = global"
        assert decision.log[-1].text.endswith(last_words)
