"""A day in the life of the office DHCP server, told through the decision core.

The office has one local network (10.0.0.0/24, on eth0) and a branch behind a relay
(10.20.0.0/24, relay 10.20.0.1).  We follow a laptop and a few neighbours through the
day and check, at each step, the reply, the log lines dhcpd would write and the lease
record that would be written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.dhcp_decision import Decision
from domain.dhcp_packet import DhcpPacket, MessageType, Opt
from domain.lease import BindingState
from projections.lease_view import LeaseView

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

OFFICE = """
authoritative;
ping-check false;
default-lease-time 3600;
max-lease-time 7200;
subnet 10.0.0.0 netmask 255.255.255.0 {
  option routers 10.0.0.1;
  range 10.0.0.100 10.0.0.150;
}
subnet 10.20.0.0 netmask 255.255.255.0 {
  option routers 10.20.0.1;
  range 10.20.0.100 10.20.0.150;
}
"""
HOUR = 3600


def test_an_admins_day(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(OFFICE)
    journal: list[Any] = []  # every committed lease record: what dhcpd.leases would hold

    def send(message: DhcpPacket, at: int, **kwargs: Any) -> Decision:
        decision = server.send(message, at, **kwargs)
        journal.extend(decision.changes)
        return decision

    laptop = hw(0x42)
    morning = now

    # 08:00 — the laptop boots: DISCOVER, OFFER, REQUEST, ACK.
    offer = send(packet(MessageType.DHCPDISCOVER, laptop, hostname=b"laptop"), morning)
    assert lines(offer) == [
        "DHCPDISCOVER from 02:00:00:00:00:42 via eth0",
        "DHCPOFFER on 10.0.0.100 to 02:00:00:00:00:42 (laptop) via eth0",
    ]
    assert offer.changes == ()  # an offer is only held in memory
    ack = send(packet(MessageType.DHCPREQUEST, laptop, requested="10.0.0.100",
                      server_id="10.0.0.2", hostname=b"laptop"), morning + 1)
    assert lines(ack) == [
        "DHCPREQUEST for 10.0.0.100 (10.0.0.2) from 02:00:00:00:00:42 (laptop) via eth0",
        "DHCPACK on 10.0.0.100 to 02:00:00:00:00:42 (laptop) via eth0",
    ]
    assert ack.reply.options[Opt.ROUTERS] == bytes([10, 0, 0, 1])
    assert server.lease("10.0.0.100").ends == morning + 1 + HOUR

    # 08:30 — half-way through the lease the laptop renews by unicast.
    renew = send(packet(MessageType.DHCPREQUEST, laptop, ciaddr="10.0.0.100",
                        hostname=b"laptop"), morning + HOUR // 2)
    assert renew.reply.message_type is MessageType.DHCPACK and renew.unicast_to_ciaddr
    assert server.lease("10.0.0.100").ends == morning + HOUR // 2 + HOUR

    # 09:20 — its server seemed gone, so it rebinds by broadcast; we still answer.
    rebind = send(packet(MessageType.DHCPREQUEST, laptop, ciaddr="10.0.0.100",
                         hostname=b"laptop"), morning + HOUR + 1200)
    assert rebind.reply.message_type is MessageType.DHCPACK

    # 10:00 — a colleague's PC is told an address another machine already uses:
    # its ARP check fails and it declines; the address is abandoned for a day.
    pc = hw(0x43)
    send(packet(MessageType.DHCPDISCOVER, pc), morning + 2 * HOUR)
    send(packet(MessageType.DHCPREQUEST, pc, requested="10.0.0.101"), morning + 2 * HOUR)
    declined = send(packet(MessageType.DHCPDECLINE, pc, requested="10.0.0.101"),
                    morning + 2 * HOUR + 2)
    assert lines(declined) == [
        "Abandoning IP address 10.0.0.101: declined.",
        "DHCPDECLINE of 10.0.0.101 from 02:00:00:00:00:43 via eth0: abandoned",
    ]
    retry = send(packet(MessageType.DHCPDISCOVER, pc), morning + 2 * HOUR + 10)
    assert retry.reply.yiaddr == "10.0.0.102"
    send(packet(MessageType.DHCPREQUEST, pc, requested="10.0.0.102"), morning + 2 * HOUR + 11)

    # 12:00 — a visitor leaves and politely releases its address.
    visitor = hw(0x44)
    send(packet(MessageType.DHCPDISCOVER, visitor), morning + 4 * HOUR)
    send(packet(MessageType.DHCPREQUEST, visitor, requested="10.0.0.103"), morning + 4 * HOUR)
    bye = send(packet(MessageType.DHCPRELEASE, visitor, ciaddr="10.0.0.103"),
               morning + 4 * HOUR + 60)
    assert lines(bye) == ["DHCPRELEASE of 10.0.0.103 from 02:00:00:00:00:44 via eth0 (found)"]
    assert server.lease("10.0.0.103").binding_state is BindingState.FREE

    # 13:00 — the laptop goes to the branch office and, still believing in its old
    # address, asks for it there (INIT-REBOOT through the branch relay): wrong network.
    moved = send(packet(MessageType.DHCPREQUEST, laptop, requested="10.0.0.100",
                        giaddr="10.20.0.1"), morning + 5 * HOUR)
    assert lines(moved) == [
        "DHCPREQUEST for 10.0.0.100 from 02:00:00:00:00:42 (laptop) via 10.20.0.1:"
        " wrong network.",
        "DHCPNAK on 10.0.0.100 to 02:00:00:00:00:42 via 10.20.0.1",
    ]
    branch = send(packet(MessageType.DHCPDISCOVER, laptop, giaddr="10.20.0.1"),
                  morning + 5 * HOUR + 5)
    assert branch.reply.yiaddr == "10.20.0.100"

    # 14:00 — the server host is rebooted.  Offers held in memory are gone; the
    # journal (the lease file) is replayed into a fresh view.
    server.view = LeaseView(server.config)
    server.view.load(change.lease for change in journal)
    assert server.lease("10.20.0.100") is None  # the branch offer was never written

    # The PC reboots too and asks for its address back (INIT-REBOOT): granted.
    reboot = send(packet(MessageType.DHCPREQUEST, pc, requested="10.0.0.102"),
                  morning + 6 * HOUR)
    assert reboot.reply.message_type is MessageType.DHCPACK
    assert reboot.reply.yiaddr == "10.0.0.102"

    # Evening: the timer expires the laptop's old office lease, and the abandoned
    # address comes back to the pool a day after the decline.
    assert "10.0.0.100" in server.tick(morning + 12 * HOUR)
    assert server.lease("10.0.0.100").binding_state is BindingState.FREE
    assert server.lease("10.0.0.100").hardware is not None  # kept for the laptop's return
    assert "10.0.0.101" in server.tick(morning + 2 * HOUR + 2 + 86400)
    assert server.lease("10.0.0.101").binding_state is BindingState.FREE
