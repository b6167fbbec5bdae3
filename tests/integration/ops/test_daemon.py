"""The daemon in-process on loopback: real UDP, real lease log, the relay-style client.

Clocks are real here (the lease times are long); timers are covered by the lease
lifecycle unit tests.  Configs turn ping-check off, as every lab config does.
"""

from __future__ import annotations

import logging
import os
import random
from pathlib import Path

import pytest
import trio

from adapters.dhcp_udp import DhcpUdpEndpoint
from adapters.dhcp_wire import decode, encode
from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from adapters.leasefile.history import read_history
from adapters.leasefile.lease_log import LeaseLog
from domain.config.model import DhcpConfig
from domain.dhcp_decision import LeaseChange
from domain.dhcp_packet import MessageType, Opt
from domain.lease import BindingState, Lease
from domain.lease_events import Administered
from domain.reply_route import Route
from ops.daemon import Daemon
from ops.loopback_client import RelayClient

EXAMPLE = Path(__file__).resolve().parents[3] / "ops/examples/known-unknown/dhcpd.conf"
KNOWN = bytes.fromhex("00163e200001")
VISITOR = bytes.fromhex("02aa00000001")


@pytest.fixture
def config(tmp_path: Path) -> DhcpConfig:
    conf = tmp_path / "dhcpd.conf"
    conf.write_text("ping-check false;\n" + EXAMPLE.read_text())
    result = read_config(str(conf))
    assert result.ok, result.output_lines()
    return build_config(result.tree)


class Running:
    """A daemon serving on 127.0.0.1 and a relay client on 127.0.0.2, same port."""

    def __init__(self, daemon: Daemon, client: RelayClient, nursery: trio.Nursery) -> None:
        self.daemon, self.client, self.nursery = daemon, client, nursery


class NoQuickSends(DhcpUdpEndpoint):
    """An endpoint whose send buffer is always full for a send that may not wait."""

    def try_send(self, data: bytes, route: Route) -> bool:
        return False


async def start(nursery: trio.Nursery, config: DhcpConfig, lease_file: Path,
                records: list[str], endpoint_type: type[DhcpUdpEndpoint] = DhcpUdpEndpoint,
                ) -> Running:
    endpoint = await endpoint_type.open("127.0.0.1", 0)
    logger = logging.getLogger(f"test.daemon.{id(records)}.{len(records)}")
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    daemon = Daemon(config, LeaseLog(lease_file), endpoint, logger)
    await nursery.start(daemon.run)
    client = await RelayClient(("127.0.0.1", endpoint.port), "127.0.0.2", "10.0.0.1").open()
    return Running(daemon, client, nursery)


async def stop(running: Running) -> None:
    running.client.close()
    running.nursery.cancel_scope.cancel()
    running.daemon.log.close()


def lease_records(lease_file: Path) -> dict[str, tuple[BindingState | None, bytes | None]]:
    table = {}
    for _segment, _position, event in read_history(lease_file):
        lease = getattr(event, "lease", None)
        if lease is not None:
            table[lease.ip] = (lease.binding_state,
                               lease.hardware.address if lease.hardware else None)
    return table


async def test_known_and_unknown_clients_get_their_pools(config, tmp_path) -> None:
    lease_file, logs = tmp_path / "dhcpd.leases", []
    async with trio.open_nursery() as nursery:
        running = await start(nursery, config, lease_file, logs)
        with trio.fail_after(10):
            known = await running.client.dora(KNOWN, hostname="ws1")
            visitor = await running.client.dora(VISITOR, hostname="guest")
        await stop(running)
    assert known.address == "10.0.0.5"
    assert known.answer.option(Opt.DOMAIN_NAME_SERVERS) == bytes([10, 0, 0, 251, 10, 0, 0, 252])
    assert visitor.address == "10.0.0.100"
    assert visitor.answer.option(Opt.DOMAIN_NAME_SERVERS) == bytes([10, 0, 0, 254])
    assert int.from_bytes(visitor.answer.option(Opt.LEASE_TIME), "big") <= 300
    # durable before the ACK left: both are in the file
    records = lease_records(lease_file)
    assert records["10.0.0.5"] == (BindingState.ACTIVE, KNOWN)
    assert records["10.0.0.100"] == (BindingState.ACTIVE, VISITOR)
    assert "DHCPACK on 10.0.0.5 to 00:16:3e:20:00:01 (ws1) via 127.0.0.2" in logs


async def test_after_a_restart_the_client_keeps_its_address(config, tmp_path) -> None:
    lease_file = tmp_path / "dhcpd.leases"
    async with trio.open_nursery() as nursery:
        running = await start(nursery, config, lease_file, [])
        with trio.fail_after(10):
            first = await running.client.dora(VISITOR)
            other = await running.client.dora(bytes.fromhex("02aa00000002"))
        await stop(running)
    async with trio.open_nursery() as nursery:
        running = await start(nursery, config, lease_file, [])
        assert len(running.daemon.view.table) == 2
        with trio.fail_after(10):
            again = await running.client.dora(VISITOR)
        await stop(running)
    assert (first.address, other.address, again.address) == ("10.0.0.100", "10.0.0.101",
                                                             "10.0.0.100")


async def test_garbage_is_logged_and_dropped_and_service_goes_on(config, tmp_path) -> None:
    lease_file, logs = tmp_path / "dhcpd.leases", []
    async with trio.open_nursery() as nursery:
        running = await start(nursery, config, lease_file, logs)
        sender = trio.socket.socket(type=trio.socket.SOCK_DGRAM)
        await sender.bind(("127.0.0.3", 0))
        rng = random.Random(7)
        for i in range(300):
            size = rng.choice([0, 1, 100, 235, 236, 240, 300, 600])
            data = os.urandom(size) if i % 2 else bytes(size)
            await sender.sendto(data, ("127.0.0.1", running.daemon.endpoint.port))
        sender.close()
        with trio.fail_after(10):
            exchange = await running.client.dora(VISITOR)
        await stop(running)
    assert exchange.address == "10.0.0.100"
    assert running.daemon.stats.malformed > 0
    assert any("packet too short" in line or "bogus" in line or "overruns" in line
               for line in logs)


async def test_release_frees_the_address(config, tmp_path) -> None:
    lease_file, logs = tmp_path / "dhcpd.leases", []
    async with trio.open_nursery() as nursery:
        running = await start(nursery, config, lease_file, logs)
        with trio.fail_after(10):
            exchange = await running.client.dora(VISITOR)
            await running.client.release(VISITOR, exchange.address,
                                         exchange.answer.option(Opt.SERVER_IDENTIFIER))
            while not any(line.startswith("DHCPRELEASE") for line in logs):
                await trio.sleep(0.01)
            await trio.sleep(0.1)
        await stop(running)
    assert lease_records(lease_file)["10.0.0.100"][0] in (BindingState.FREE,
                                                          BindingState.RELEASED)
    assert any(line.endswith("(found)") for line in logs if line.startswith("DHCPRELEASE"))


async def test_a_burst_of_clients_gets_distinct_addresses_all_on_disk(config, tmp_path) -> None:
    # Every request of the burst is in the socket before the server reads: they are
    # decided one after another, offered at once, and acked after one write.
    lease_file, logs = tmp_path / "dhcpd.leases", []
    macs = [bytes.fromhex(f"02bb000000{n:02x}") for n in range(40)]
    async with trio.open_nursery() as nursery:
        running = await start(nursery, config, lease_file, logs)
        client, server = running.client, ("127.0.0.1", running.daemon.endpoint.port)

        async def burst(packets: list) -> dict[bytes, object]:
            for packet in packets:
                await client._sock.sendto(encode(packet, max_size=1500), server)
            answers = {}
            with trio.fail_after(10):
                while len(answers) < len(packets):
                    reply = decode((await client._sock.recvfrom(4096))[0])
                    answers[reply.chaddr[:6]] = reply
            return answers

        offers = await burst([client._request(MessageType.DHCPDISCOVER, mac) for mac in macs])
        requests = []
        for mac in macs:
            offer = offers[mac]
            request = client._request(MessageType.DHCPREQUEST, mac, {
                Opt.REQUESTED_ADDRESS: bytes(map(int, offer.yiaddr.split("."))),
                Opt.SERVER_IDENTIFIER: offer.option(Opt.SERVER_IDENTIFIER)})
            requests.append(request)
        acks = await burst(requests)
        await stop(running)
    assert {reply.message_type for reply in offers.values()} == {MessageType.DHCPOFFER}
    assert {reply.message_type for reply in acks.values()} == {MessageType.DHCPACK}
    addresses = {acks[mac].yiaddr for mac in macs}
    assert len(addresses) == len(macs)
    records = lease_records(lease_file)
    assert all(records[acks[mac].yiaddr] == (BindingState.ACTIVE, mac) for mac in macs)
    assert sum(line.startswith("DHCPACK on") for line in logs) == len(macs)
    assert running.daemon.stats.bursts < running.daemon.stats.received


async def test_a_reply_that_cannot_leave_at_once_waits_for_room(config, tmp_path) -> None:
    lease_file, logs = tmp_path / "dhcpd.leases", []
    async with trio.open_nursery() as nursery:
        running = await start(nursery, config, lease_file, logs, NoQuickSends)
        with trio.fail_after(10):
            exchange = await running.client.dora(VISITOR)
        await stop(running)
    assert exchange.address == "10.0.0.100"
    assert running.daemon.stats.replies == 2
    assert "DHCPACK on 10.0.0.100 to 02:aa:00:00:00:01 via 127.0.0.2" in logs


PER_CIRCUIT = """
authoritative;
ping-check false;
class "perrelay" { spawn with option agent.circuit-id; lease limit 2; }
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.120; }
"""


async def test_lease_limit_refuses_the_third_client_on_a_circuit(tmp_path) -> None:
    conf = tmp_path / "dhcpd.conf"
    conf.write_text(PER_CIRCUIT)
    result = read_config(str(conf))
    assert result.ok, result.output_lines()
    lease_file, logs = tmp_path / "dhcpd.leases", []
    macs = [bytes.fromhex(f"02cc0000000{n}") for n in range(1, 5)]
    async with trio.open_nursery() as nursery:
        running = await start(nursery, build_config(result.tree), lease_file, logs)
        port = running.daemon.endpoint.port
        circuit = await RelayClient(("127.0.0.1", port), "127.0.0.3", "10.0.0.1",
                                    circuit_id=b"circ-1").open()
        other = await RelayClient(("127.0.0.1", port), "127.0.0.4", "10.0.0.1",
                                  circuit_id=b"circ-2").open()
        with trio.fail_after(20):
            first = await circuit.dora(macs[0])
            second = await circuit.dora(macs[1])
            refused = await circuit.dora(macs[2], wait=0.3)
            elsewhere = await other.dora(macs[3])
            await circuit.release(macs[0], first.address,
                                  first.answer.option(Opt.SERVER_IDENTIFIER))
            while not any(line.startswith("DHCPRELEASE") for line in logs):
                await trio.sleep(0.01)
            after_release = await circuit.dora(macs[2])
        circuit.close()
        other.close()
        await stop(running)
    assert first.address and second.address and elsewhere.address
    assert refused.offer is None
    assert (
        "DHCPDISCOVER from 02:cc:00:00:00:03 via 127.0.0.3: no available billing: lease limit"
        " reached in all matching classes (last: 'perrelay')"
    ) in logs
    assert after_release.address is not None  # the released lease gave its slot back
    text = lease_file.read_text()
    assert text.count('billing subclass "perrelay" "circ-1";') == 3
    assert text.count('billing subclass "perrelay" "circ-2";') == 1


async def test_changes_staged_within_a_millisecond_share_one_time(config, tmp_path) -> None:
    # A burst's events carry one time object, so the lease file formats it once; a
    # change staged a millisecond or more later gets its own time.
    readings = iter([1_795_000_000.0, 1_795_000_000.0004, 1_795_000_000.0025])
    endpoint = await DhcpUdpEndpoint.open("127.0.0.1", 0)
    log = LeaseLog(tmp_path / "dhcpd.leases")
    daemon = Daemon(config, log, endpoint, logging.getLogger("test.daemon.stamp"),
                    clock=lambda: next(readings))
    try:
        staged = [daemon.stage([LeaseChange(Administered, Lease(
            ip=f"10.0.0.{host}", binding_state=BindingState.ABANDONED), "test")])[0]
            for host in (5, 6, 7)]
    finally:
        log.close()
        endpoint.close()
    first, second, third = (event.timestamp for event in staged)  # type: ignore[attr-defined]
    assert second is first
    assert third is not first
    assert (first.timestamp(), third.timestamp()) == (1_795_000_000.0, 1_795_000_000.0025)
