"""The probe client's packets: well-formed requests, and garbage that is reproducible,
mixed, and never addressed anywhere but back to the lab client that sends it."""

from __future__ import annotations

import random
import socket

import pytest

from adapters.dhcp_wire import MalformedPacket, decode, encode
from domain.dhcp_packet import BROADCAST_FLAG, MessageType, Opt
from ops.lab.probe_packets import (
    client_request,
    garbage_datagrams,
    mac_bytes,
    mac_text,
)

RELAY = "10.0.0.5"


def test_mac_addresses_read_and_print_as_lease_files_write_them() -> None:
    assert mac_bytes("02:4C:00:00:0a:01") == bytes([2, 0x4C, 0, 0, 10, 1])
    assert mac_text(bytes([2, 0x4C, 0, 0, 10, 1])) == "02:4c:00:00:0a:01"
    for bad in ("02:4c:00", "zz:00:00:00:00:00", "02:4c:00:00:0a:01:02"):
        with pytest.raises(ValueError):
            mac_bytes(bad)


def test_a_client_request_decodes_to_what_was_asked_for() -> None:
    mac = mac_bytes("02:00:00:00:00:01")
    packet = client_request(MessageType.DHCPREQUEST, mac, xid=77,
                            options={Opt.REQUESTED_ADDRESS: socket.inet_aton("10.0.0.9")})

    decoded = decode(encode(packet, max_size=1500))

    assert decoded.message_type is MessageType.DHCPREQUEST
    assert (decoded.xid, decoded.chaddr, decoded.hlen) == (77, mac, 6)
    assert decoded.flags == BROADCAST_FLAG
    assert decoded.option(Opt.REQUESTED_ADDRESS) == socket.inet_aton("10.0.0.9")
    assert decoded.option(Opt.PARAMETER_REQUEST_LIST)
    unicast = client_request(MessageType.DHCPDECLINE, mac, xid=1, broadcast=False)
    assert unicast.flags == 0


def test_garbage_is_reproducible_from_its_seed() -> None:
    first = list(garbage_datagrams(random.Random(3), 40, giaddr=RELAY))
    again = list(garbage_datagrams(random.Random(3), 40, giaddr=RELAY))
    other = list(garbage_datagrams(random.Random(4), 40, giaddr=RELAY))

    assert len(first) == 40
    assert first == again
    assert first != other


def test_garbage_sends_replies_nowhere_but_back_to_the_sender() -> None:
    relay = socket.inet_aton(RELAY)
    giaddrs = set()
    for datagram in garbage_datagrams(random.Random(5), 400, giaddr=RELAY):
        if len(datagram) >= 28:
            assert datagram[12:16] == bytes(4)
            giaddrs.add(datagram[24:28])
    assert giaddrs == {relay, bytes(4)}


def test_garbage_mixes_what_is_dropped_with_what_is_decoded() -> None:
    outcomes = {"dropped": 0, "decoded": 0}
    lengths = set()
    for datagram in garbage_datagrams(random.Random(6), 400, giaddr=RELAY):
        lengths.add(len(datagram))
        try:
            decode(datagram)
        except MalformedPacket:
            outcomes["dropped"] += 1
        else:
            outcomes["decoded"] += 1
    assert outcomes["dropped"] >= 100
    assert outcomes["decoded"] >= 50
    assert min(lengths) < 236 < max(lengths)


def test_requests_in_the_garbage_name_the_addresses_and_server_given() -> None:
    addresses = ["10.0.0.100", "10.0.0.101"]
    named, with_server = set(), 0
    for datagram in garbage_datagrams(random.Random(7), 400, giaddr=RELAY,
                                      addresses=addresses, server_id="10.0.0.10"):
        try:
            packet = decode(datagram)
        except MalformedPacket:
            continue
        requested = packet.option(Opt.REQUESTED_ADDRESS)
        if requested is not None and len(requested) == 4:
            named.add(socket.inet_ntoa(requested))
        with_server += packet.option(Opt.SERVER_IDENTIFIER) == socket.inet_aton("10.0.0.10")
    assert set(addresses) <= named
    assert with_server > 0
