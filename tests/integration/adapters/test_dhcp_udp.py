"""The UDP endpoint on loopback: arrival interface, replies by route."""

from __future__ import annotations

import socket

import trio

from adapters.dhcp_udp import DhcpUdpEndpoint
from domain.reply_route import Route


async def test_a_datagram_arrives_with_its_interface_and_a_reply_goes_back() -> None:
    server = await DhcpUdpEndpoint.open("127.0.0.1", 0)
    client = trio.socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    await client.bind(("127.0.0.1", 0))
    try:
        await client.sendto(b"hello", ("127.0.0.1", server.port))
        with trio.fail_after(5):
            got = await server.receive()
        assert got.data == b"hello"
        assert got.interface == "lo"
        assert got.interface_address == "127.0.0.1"
        assert (got.source_address, got.source_port) == client.getsockname()
        await server.send(b"reply", Route(got.source_address, got.source_port, got.interface))
        with trio.fail_after(5):
            data, _ = await client.recvfrom(100)
        assert data == b"reply"
    finally:
        server.close()
        client.close()


async def test_no_arp_entry_can_be_made_on_loopback() -> None:
    # The kernel refuses ARP on lo, so such a reply would be broadcast instead.
    server = await DhcpUdpEndpoint.open("127.0.0.1", 0)
    try:
        route = Route("127.0.0.9", 68, "lo", link_address=b"\x02\x00\x00\x00\x00\x01")
        assert server.add_arp_entry(route) is False
        assert server.add_arp_entry(Route("127.0.0.9", 68, "lo", link_address=b"")) is False
    finally:
        server.close()


async def test_a_burst_takes_what_is_queued_without_waiting_for_more() -> None:
    server = await DhcpUdpEndpoint.open("127.0.0.1", 0)
    client = trio.socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    await client.bind(("127.0.0.1", 0))
    try:
        for n in range(5):
            await client.sendto(bytes([n]), ("127.0.0.1", server.port))
        await trio.sleep(0.05)  # all five are in the socket's queue
        with trio.fail_after(5):
            first = await server.receive_burst(3)
            rest = await server.receive_burst(10)
        assert [d.data for d in first] == [b"\x00", b"\x01", b"\x02"]
        assert [d.data for d in rest] == [b"\x03", b"\x04"]
        assert {d.interface for d in first + rest} == {"lo"}
        with trio.move_on_after(0.1) as waited:
            await server.receive_burst(10)  # nothing queued: it waits for the next one
        assert waited.cancelled_caught
    finally:
        server.close()
        client.close()


async def test_a_reply_sent_without_yielding_arrives() -> None:
    server = await DhcpUdpEndpoint.open("127.0.0.1", 0)
    client = trio.socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    await client.bind(("127.0.0.1", 0))
    try:
        address, port = client.getsockname()
        assert server.try_send(b"at once", Route(address, port, "lo")) is True
        with trio.fail_after(5):
            data, source = await client.recvfrom(100)
        assert (data, source) == (b"at once", ("127.0.0.1", server.port))
    finally:
        server.close()
        client.close()

