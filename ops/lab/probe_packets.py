"""The datagrams the lab's own probe client sends: client requests, and garbage.

Real clients (dhclient, udhcpc, perfdhcp) cover the well-behaved paths, but none of
them sends a DHCPDECLINE on demand, records which address it was acknowledged for, or
sends malformed packets.  The probe client (`ops/lab/probe_client.py`) does, and
builds its packets here, with our own encoder, so that what it sends can be checked
without a network.

Garbage is bounded and reproducible (a seeded `random.Random`), and mixes four kinds
the server's decoder and decision core must survive: random bytes, truncated valid
requests, a valid header followed by random option bytes, and valid requests with
random bytes overwritten.  Whatever the mutation did, ciaddr is zeroed and giaddr set
to the sender's own relay address (or zero), so any reply the server makes goes back
to the lab client that sent it, never to an address named by chance.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from adapters.dhcp_wire import encode
from domain.dhcp_packet import BOOTREQUEST, BROADCAST_FLAG, ZERO, DhcpPacket, MessageType, Opt

PARAMETER_REQUEST_LIST = bytes([1, 3, 6, 12, 15, 28, 51, 54, 58, 59])
MAX_DATAGRAM = 1500
_CIADDR = slice(12, 16)
_GIADDR = slice(24, 28)
_ADDRESS_FIELDS_END = 28
_BOOTP_HEADER = 236 + 4  # fixed fields and the magic cookie
_FUZZED_OPTIONS = (
    Opt.HOST_NAME, Opt.CLIENT_IDENTIFIER, Opt.VENDOR_CLASS_IDENTIFIER, Opt.USER_CLASS,
    Opt.FQDN, Opt.MAX_MESSAGE_SIZE, Opt.OVERLOAD, Opt.REQUESTED_ADDRESS,
    Opt.SERVER_IDENTIFIER, Opt.LEASE_TIME, Opt.RELAY_AGENT_INFORMATION,
    Opt.SUBNET_SELECTION, Opt.PARAMETER_REQUEST_LIST,
)


def mac_bytes(text: str) -> bytes:
    """`02:4c:00:00:00:01` → six bytes; ValueError for anything else."""
    octets = bytes.fromhex(text.replace(":", ""))
    if len(octets) != 6:
        raise ValueError(f"not an Ethernet address: {text!r}")
    return octets


def mac_text(octets: bytes) -> str:
    """Six bytes as lease files and dhcpd's log write them (lower-case, colons)."""
    return ":".join(f"{octet:02x}" for octet in octets)


def client_request(kind: MessageType, mac: bytes, *, xid: int,
                   options: Mapping[int, bytes] | None = None, broadcast: bool = True,
                   giaddr: str = ZERO) -> DhcpPacket:
    """A request as a client on the wire sends it: `kind` in option 53, a parameter
    request list, then `options`.  `broadcast` sets the flag that makes the server
    broadcast its reply, which a client without an address yet can receive."""
    return DhcpPacket(
        op=BOOTREQUEST, htype=1, hlen=len(mac), hops=0, xid=xid, secs=0,
        flags=BROADCAST_FLAG if broadcast else 0, ciaddr=ZERO, yiaddr=ZERO, siaddr=ZERO,
        giaddr=giaddr, chaddr=mac,
        options={Opt.MESSAGE_TYPE: bytes([kind]),
                 Opt.PARAMETER_REQUEST_LIST: PARAMETER_REQUEST_LIST, **(options or {})},
    )


def garbage_datagrams(rng: random.Random, count: int, *, giaddr: str,
                      addresses: Sequence[str] = (), server_id: str | None = None
                      ) -> Iterator[bytes]:
    """`count` datagrams, cycling through the four kinds of garbage (module docstring).
    Every one long enough to carry the address fields has ciaddr 0 and giaddr either
    `giaddr` or 0.

    Requests name one of `addresses` (option 50) and often `server_id` (54) when they
    are given, so that some garbage is acknowledged and written to the lease file,
    random host names and client identifiers included."""
    makers = (_random_bytes, _truncated, _random_options, _overwritten)
    relay = socket.inet_aton(giaddr)
    targets = _Targets(tuple(addresses), server_id)
    for number in range(count):
        datagram = bytearray(makers[number % len(makers)](rng, targets))
        if len(datagram) >= _ADDRESS_FIELDS_END:
            datagram[_CIADDR] = bytes(4)
            datagram[_GIADDR] = relay if rng.random() < 0.5 else bytes(4)
        yield bytes(datagram)


@dataclass(frozen=True)
class _Targets:
    addresses: tuple[str, ...]
    server_id: str | None


def _random_bytes(rng: random.Random, _targets: _Targets) -> bytes:
    return rng.randbytes(rng.randrange(0, 600))


def _truncated(rng: random.Random, targets: _Targets) -> bytes:
    whole = _plausible_request(rng, targets)
    return whole[: rng.randrange(0, len(whole))]


def _random_options(rng: random.Random, targets: _Targets) -> bytes:
    header = _plausible_request(rng, targets)[:_BOOTP_HEADER]
    return header + rng.randbytes(rng.randrange(0, 400))


def _overwritten(rng: random.Random, targets: _Targets) -> bytes:
    datagram = bytearray(_plausible_request(rng, targets))
    for _ in range(rng.randrange(1, 9)):
        datagram[rng.randrange(len(datagram))] = rng.randrange(256)
    return bytes(datagram)


def _plausible_request(rng: random.Random, targets: _Targets) -> bytes:
    """A well-formed request of a random kind carrying random values (empty ones
    too) in options whose contents the server reads: names, identifiers, sizes,
    addresses, the relay agent's sub-options."""
    kind = rng.choice(list(MessageType))
    options = {
        code: rng.randbytes(rng.randrange(0, 40))
        for code in rng.sample(_FUZZED_OPTIONS, rng.randrange(0, 5))
    }
    if targets.addresses and rng.random() < 0.5:
        options[Opt.REQUESTED_ADDRESS] = socket.inet_aton(rng.choice(targets.addresses))
        if targets.server_id is not None and rng.random() < 0.5:
            options[Opt.SERVER_IDENTIFIER] = socket.inet_aton(targets.server_id)
    packet = client_request(kind, rng.randbytes(6), xid=rng.getrandbits(32),
                            options=options, broadcast=rng.random() < 0.5)
    return encode(packet, max_size=MAX_DATAGRAM)
