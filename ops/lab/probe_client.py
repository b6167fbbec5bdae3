"""The lab's own DHCP client, for what no real client does on demand.

Run inside a lab namespace (`lab.start(CLI, probe_argv("decline", ...))`); it prints
one line per result, flushed at once, so a test can follow it through its log:

* `burst`: send seeded garbage (ops/lab/probe_packets.py) to the server, at a bounded
  rate, then print `sent N`.  Nothing is read back.
* `decline`: a client on an unaddressed interface: DISCOVER, REQUEST the address
  offered, and once it is acknowledged, DHCPDECLINE it, as a client whose ARP probe
  found the address in use would.  Prints `OFFER a`, `ACK a`, `DECLINE a`.
* `load`: one DORA after another as a relay agent (ops/loopback_client.RelayClient)
  from a relay address of the lab, for distinct MACs; prints `ACK mac address` for
  every acknowledgement received.  It stops after `--count` exchanges, `--seconds`,
  or `--misses` unanswered exchanges in a row (the server is gone), whichever is first.

Every loop is bounded in packets and time.  A socket error ends the program with one
line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import re
import socket
import sys
import time
from collections.abc import Callable, Sequence

import trio

from adapters.dhcp_wire import MalformedPacket, decode, encode
from domain.dhcp_packet import DhcpPacket, MessageType, Opt
from ops.lab.probe_packets import (
    MAX_DATAGRAM,
    client_request,
    garbage_datagrams,
    mac_bytes,
    mac_text,
)
from ops.loopback_client import RelayClient

SERVER_PORT = 67
CLIENT_PORT = 68
MAX_PACKETS = 20_000
MAX_RATE = 10_000
MAX_SECONDS = 60.0
MAX_REQUEST_RANGE = 65536
LOAD_MAC_PREFIX = bytes([0x02, 0x4C, 0x4C])
RETRANSMIT_SECONDS = 1.0
SO_BINDTODEVICE = 25
_ACK_LINE = re.compile(r"^ACK (?P<mac>[0-9a-f:]{17}) (?P<address>\d+\.\d+\.\d+\.\d+)$",
                       re.MULTILINE)


class ProbeError(Exception):
    """The probe could not do what it was asked (no answer, a socket error)."""


def probe_argv(*arguments: str) -> list[str]:
    """The command line that runs this program with the current interpreter."""
    return [sys.executable, "-m", "ops.lab.probe_client", *arguments]


def acked_leases(output: str) -> list[tuple[str, str]]:
    """The (mac, address) pairs a `load` run printed, in the order acknowledged."""
    return [(match["mac"], match["address"]) for match in _ACK_LINE.finditer(output)]


def burst(server: str, source: str, *, count: int, seed: int, per_second: int,
          addresses: Sequence[str] = (), port: int = SERVER_PORT) -> int:
    """Send `count` garbage datagrams from `source` to `server`, paced at `per_second`;
    returns how many the kernel accepted.  Requests among them name `addresses`."""
    interval = 1.0 / per_second
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        start = time.monotonic()
        for number, datagram in enumerate(
            garbage_datagrams(random.Random(seed), count, giaddr=source,
                              addresses=addresses, server_id=server)
        ):
            delay = start + number * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                sock.sendto(datagram, (server, port))
            except OSError:  # e.g. ENOBUFS under load: the datagram is simply lost
                continue
            sent += 1
    return sent


def decline(interface: str, mac: bytes, *, timeout: float, port: int = CLIENT_PORT) -> str:
    """DISCOVER, REQUEST, then DHCPDECLINE what was acknowledged; returns the address.
    `port`: the client's port (a server with `remote-port` answers there)."""
    xid = random.getrandbits(32)
    deadline = time.monotonic() + timeout
    with _client_socket(interface, port) as sock:
        offer = _exchange(sock, client_request(MessageType.DHCPDISCOVER, mac, xid=xid),
                          MessageType.DHCPOFFER, deadline)
        print(f"OFFER {offer.yiaddr}", flush=True)
        chosen = {Opt.REQUESTED_ADDRESS: socket.inet_aton(offer.yiaddr),
                  Opt.SERVER_IDENTIFIER: offer.option(Opt.SERVER_IDENTIFIER) or b""}
        ack = _exchange(sock, client_request(MessageType.DHCPREQUEST, mac, xid=xid,
                                             options=chosen),
                        MessageType.DHCPACK, deadline)
        print(f"ACK {ack.yiaddr}", flush=True)
        declined = client_request(MessageType.DHCPDECLINE, mac, xid=xid, options=chosen,
                                  broadcast=False)
        sock.sendto(encode(declined, max_size=MAX_DATAGRAM), ("255.255.255.255", SERVER_PORT))
        print(f"DECLINE {ack.yiaddr}", flush=True)
        return ack.yiaddr


def _client_socket(interface: str, port: int = CLIENT_PORT) -> socket.socket:
    """A UDP socket on the client port of `interface` only, able to broadcast."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, interface.encode() + b"\0")
        sock.bind(("0.0.0.0", port))
    except OSError:
        sock.close()
        raise
    return sock


def _exchange(sock: socket.socket, request: DhcpPacket, wanted: MessageType,
              deadline: float) -> DhcpPacket:
    """Broadcast `request` (again each second, as clients retransmit) until a reply of
    type `wanted` for its xid and hardware address arrives, or `deadline` passes."""
    data = encode(request, max_size=MAX_DATAGRAM)
    while time.monotonic() < deadline:
        sock.sendto(data, ("255.255.255.255", SERVER_PORT))
        resend_at = min(time.monotonic() + RETRANSMIT_SECONDS, deadline)
        while (left := resend_at - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                reply = decode(sock.recv(MAX_DATAGRAM))
            except (TimeoutError, MalformedPacket):
                continue
            if (reply.xid, reply.chaddr, reply.message_type) == (
                request.xid, request.chaddr, wanted
            ):
                return reply
    raise ProbeError(f"no {wanted.name} for {mac_text(request.chaddr)} in time")


async def load(server: str, relay: str, *, count: int, seconds: float, wait: float,
               misses: int, port: int = SERVER_PORT, link: str | None = None,
               first: int = 0, secs: int = 0) -> int:
    """Sequential DORAs for distinct MACs; prints each ACK; returns how many came.

    The relay sends from `relay`:`port`, as relays do, naming `link` (default: the
    relay's own address) as the client's subnet in option 82."""
    client = await RelayClient((server, port), relay, link or relay).open()
    acked = unanswered = 0
    try:
        with trio.move_on_after(seconds):
            for number in range(count):
                if unanswered >= misses:
                    break
                mac = LOAD_MAC_PREFIX + (first + number).to_bytes(3, "big")
                address = (await client.dora(mac, wait=wait, secs=secs)).address
                if address is None:
                    unanswered += 1
                    continue
                unanswered = 0
                acked += 1
                print(f"ACK {mac_text(mac)} {address}", flush=True)
    finally:
        client.close()
    return acked


def _within(low: float, high: float, kind: Callable[[str], float] = int
            ) -> Callable[[str], float]:
    """An argparse type: `kind(text)`, refused outside low..high (loops stay bounded)."""
    def parse(text: str) -> float:
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not within {low:g}..{high:g}")
        return value
    return parse


def _addresses(bounds: Sequence[ipaddress.IPv4Address] | None) -> list[str]:
    """FIRST..LAST as dotted quads, at most MAX_REQUEST_RANGE of them."""
    if not bounds:
        return []
    first, last = (int(bound) for bound in bounds)
    return [str(ipaddress.IPv4Address(number))
            for number in range(first, min(last, first + MAX_REQUEST_RANGE - 1) + 1)]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="probe_client", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)
    garbage = commands.add_parser("burst", help="send seeded garbage to the server")
    garbage.add_argument("--server", required=True)
    garbage.add_argument("--port", type=_within(1, 65535), default=SERVER_PORT)
    garbage.add_argument("--source", required=True, help="a local address to send from")
    garbage.add_argument("--count", type=_within(1, MAX_PACKETS), default=2000)
    garbage.add_argument("--per-second", type=_within(1, MAX_RATE), default=2000)
    garbage.add_argument("--seed", type=int, default=1)
    garbage.add_argument("--request-range", nargs=2, type=ipaddress.IPv4Address,
                         metavar=("FIRST", "LAST"),
                         help="addresses requests may ask for (some garbage then gets leases)")
    declining = commands.add_parser("decline", help="get a lease, then decline it")
    declining.add_argument("--interface", required=True)
    declining.add_argument("--mac", type=mac_bytes, required=True)
    declining.add_argument("--timeout", type=_within(0.1, MAX_SECONDS, float), default=10.0)
    declining.add_argument("--client-port", type=_within(1, 65535), default=CLIENT_PORT)
    loading = commands.add_parser("load", help="sequential DORAs as a relay, ACKs printed")
    loading.add_argument("--server", required=True)
    loading.add_argument("--port", type=_within(1, 65535), default=SERVER_PORT)
    loading.add_argument("--relay", required=True, help="a local address (giaddr)")
    loading.add_argument("--link", help="the client's subnet for option 82 (default: relay)")
    loading.add_argument("--count", type=_within(1, MAX_PACKETS), default=1000)
    loading.add_argument("--first", type=_within(0, MAX_PACKETS), default=0,
                         help="number of the first MAC (runs with different MACs)")
    loading.add_argument("--secs", type=_within(0, 65535), default=0,
                         help="seconds since the client began (past a failover pair's"
                              " `load balance max seconds`, either server answers)")
    loading.add_argument("--seconds", type=_within(0.1, MAX_SECONDS, float), default=10.0)
    loading.add_argument("--wait", type=_within(0.05, 10, float), default=0.5,
                         help="seconds to wait for each answer (the client tries 3 times)")
    loading.add_argument("--misses", type=_within(1, 100), default=3)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "burst":
            sent = burst(args.server, args.source, count=args.count, seed=args.seed,
                         per_second=args.per_second, addresses=_addresses(args.request_range),
                         port=args.port)
            print(f"sent {sent}", flush=True)
        elif args.command == "decline":
            decline(args.interface, args.mac, timeout=args.timeout, port=args.client_port)
        else:
            acked = trio.run(lambda: load(args.server, args.relay, count=args.count,
                                          seconds=args.seconds, wait=args.wait,
                                          misses=args.misses, port=args.port, link=args.link,
                                          first=args.first, secs=args.secs))
            print(f"done acked={acked}", flush=True)
    except (ProbeError, OSError) as error:
        print(f"probe_client {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
