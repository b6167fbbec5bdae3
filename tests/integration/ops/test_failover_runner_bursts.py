"""The failover runner in an in-process daemon, fed by a primary played by hand over
loopback: the BNDUPDs of one read are checked in arrival order (a later update of an
address is checked against the record an earlier one left), the accepted ones are
stored with one durable write and their BNDACKs leave in order only once the records
are in the lease file; a refusal changes nothing and is sent at once, as ISC does."""

from __future__ import annotations

import logging
import socket
from ipaddress import IPv4Address
from pathlib import Path

import trio

from adapters.dhcp_udp import DhcpUdpEndpoint
from adapters.failover_wire import decode, encode, message_length
from adapters.leasefile.history import read_history
from adapters.leasefile.lease_log import LeaseLog
from domain.config.model import DhcpConfig
from domain.failover.states import ServerState
from domain.failover_messages import (
    BindingStatus,
    BndAck,
    BndUpd,
    Connect,
    FailoverMessage,
    RejectReason,
    State,
    UpdReqAll,
)
from domain.lease import BindingState
from domain.lease_events import LeaseEvent
from ops.daemon import Daemon


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def secondary_config(make_config, port: int) -> DhcpConfig:
    return make_config(f"""\
failover peer "fo" {{
  secondary;
  address 127.0.0.1;
  port {port};
  peer address 127.0.0.1;
  peer port {free_port()};
  max-response-delay 10;
  max-unacked-updates 10;
}}
subnet 10.0.0.0 netmask 255.255.255.0 {{
  pool {{
    failover peer "fo";
    range 10.0.0.100 10.0.0.119;
  }}
}}
""")


class Peer:
    """The primary's end of the connection: frames what the secondary sends."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.buffer = b""

    async def next(self) -> FailoverMessage:
        while len(self.buffer) < 2 or len(self.buffer) < message_length(self.buffer[:2]):
            chunk = await self.stream.receive_some(4096)
            assert chunk, "the secondary closed the link"
            self.buffer += chunk
        size = message_length(self.buffer[:2])
        frame, self.buffer = self.buffer[:size], self.buffer[size:]
        return decode(frame)  # type: ignore[return-value]

    async def next_of(self, kind: type) -> FailoverMessage:
        while not isinstance(message := await self.next(), kind):
            pass
        return message


def update(xid: int, ip: str, status: BindingStatus, now: int, ends: int) -> BndUpd:
    return BndUpd(time=now, xid=xid, assigned_address=IPv4Address(ip), binding_status=status,
                  chaddr=bytes((1, 2, 0, 0, 0, 0, int(ip.split(".")[3]))),
                  lease_expiry=ends, potential_expiry=ends + 30, stos=now - 10,
                  cltt=now - 10)


def records(lease_file: Path) -> dict[str, list[tuple[BindingState | None, int | None]]]:
    stored: dict[str, list[tuple[BindingState | None, int | None]]] = {}
    for _segment, _position, event in read_history(lease_file):
        if isinstance(event, LeaseEvent):
            lease = event.lease
            stored.setdefault(lease.ip, []).append((lease.binding_state, lease.ends))
    return stored


async def test_a_burst_of_bndupds_is_one_write_and_acked_in_order_once_durable(
    make_config, tmp_path: Path,
) -> None:
    port = free_port()
    lease_file = tmp_path / "dhcpd.leases"
    lease_file.touch()
    logger = logging.getLogger("test.failover_runner_bursts")
    logger.propagate = False
    endpoint = await DhcpUdpEndpoint.open("127.0.0.1", 0)
    daemon = Daemon(secondary_config(make_config, port), LeaseLog(lease_file), endpoint,
                    logger)
    async with trio.open_nursery() as nursery:
        await nursery.start(daemon.run)
        runner = daemon.runners["fo"]
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        peer = Peer(stream)
        now = int(daemon.clock())
        await stream.send_all(encode(Connect(
            time=now, xid=0, relationship_name=b"fo", max_unacked=10, receive_timer=10,
            protocol_version=1, mclt=30, hba=b"\xff" * 16 + b"\x00" * 16)) + encode(State(
                time=now, xid=1, server_state=ServerState.COMMUNICATIONS_INTERRUPTED,
                server_flags=0, stos=now - 60)))
        with trio.fail_after(10):
            await peer.next_of(UpdReqAll)
        await trio.sleep(0.3)  # the state records of the link coming up are written
        batches, events = daemon.committer.batches_written, daemon.committer.events_written
        # Five updates in one write.  10.0.0.101 becomes active, then active with a
        # later end, then is said to be expired before its end: that is refused,
        # because it is checked against the active record (a free one would take it).
        burst = [update(10, "10.0.0.100", BindingStatus.ACTIVE, now, now + 600),
                 update(11, "10.0.0.101", BindingStatus.ACTIVE, now, now + 600),
                 update(12, "10.0.0.101", BindingStatus.ACTIVE, now, now + 900),
                 update(13, "10.0.0.101", BindingStatus.EXPIRED, now, now + 900),
                 update(14, "10.0.0.103", BindingStatus.ACTIVE, now, now + 600)]
        await stream.send_all(b"".join(encode(message) for message in burst))
        acks = []
        with trio.fail_after(10):
            while len(acks) < len(burst):
                ack = await peer.next_of(BndAck)
                if ack.reject_reason is None:
                    # Durable before acknowledged: the record is in the file already.
                    assert str(ack.assigned_address) in records(lease_file)
                acks.append(ack)
        written = (daemon.committer.batches_written - batches,
                   daemon.committer.events_written - events)
        assert runner.partner.session.machine.state is ServerState.RECOVER
        await stream.aclose()
        nursery.cancel_scope.cancel()
    daemon.log.close()
    endpoint.close()

    refused = [ack for ack in acks if ack.reject_reason is not None]
    assert [(ack.xid, ack.reject_reason, ack.message) for ack in refused] == [
        (13, RejectReason.FATAL_CONFLICT, b"10.0.0.101: invalid state transition: active to"
                                          b" expired")]
    assert [(ack.xid, str(ack.assigned_address)) for ack in acks if ack not in refused] == [
        (10, "10.0.0.100"), (11, "10.0.0.101"), (12, "10.0.0.101"), (14, "10.0.0.103")]
    assert written == (1, 4)
    stored = records(lease_file)
    assert stored["10.0.0.101"] == [(BindingState.ACTIVE, now + 600),
                                    (BindingState.ACTIVE, now + 900)]
    assert stored["10.0.0.100"] == stored["10.0.0.103"] == [(BindingState.ACTIVE, now + 600)]
