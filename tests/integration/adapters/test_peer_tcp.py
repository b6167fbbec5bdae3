"""The failover link over loopback TCP: two of our servers reach normal, the receive
timeout (max-response-delay) interrupts a silent link, strangers are turned away, and a
stop says DISCONNECT.  Timers run on `trio.testing.MockClock`, which jumps ahead only
after 50 ms of real idleness, so messages in flight on loopback are never overtaken."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from ipaddress import IPv4Address

import pytest
import trio
import trio.testing

from adapters.failover_wire import decode, encode, message_length
from adapters.peer_tcp import PeerLink
from domain.config.failover_peer import FailoverPeerConfig
from domain.failover.session import (
    Action,
    BindUpdateReceived,
    FailoverSession,
    UpdatesRequested,
)
from domain.failover.states import LogLine, ServerState
from domain.failover_messages import (
    BindingStatus,
    BndAck,
    BndUpd,
    Connect,
    ConnectAck,
    Disconnect,
    FailoverMessage,
    State,
    UnknownMessage,
    UpdDone,
)
from domain.lease import FailoverState, FailoverStateRecord

PRIMARY_ADDRESS, SECONDARY_ADDRESS = "127.0.0.2", "127.0.0.3"
S = ServerState


@pytest.fixture
def mock_clock() -> trio.testing.MockClock:
    return trio.testing.MockClock(autojump_threshold=0.05)


def free_port(address: str) -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def pair_configs() -> tuple[FailoverPeerConfig, FailoverPeerConfig]:
    primary_port, secondary_port = free_port(PRIMARY_ADDRESS), free_port(SECONDARY_ADDRESS)
    common = {"name": "fo", "max_response_delay": 10, "max_unacked_updates": 10,
              "referring_pools": (1,)}
    primary = FailoverPeerConfig(
        role="primary", address=PRIMARY_ADDRESS, port=primary_port,
        peer_address=SECONDARY_ADDRESS, peer_port=secondary_port, mclt=30, split=128, **common)
    secondary = FailoverPeerConfig(
        role="secondary", address=SECONDARY_ADDRESS, port=secondary_port,
        peer_address=PRIMARY_ADDRESS, peer_port=primary_port, **common)
    return primary, secondary


class Recorder:
    """Keeps every log line a link reports, acknowledges BNDUPDs at once and answers
    update requests as a server with no leases does (UPDDONE straight away)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, link: PeerLink, action: Action) -> None:
        if isinstance(action, LogLine):
            self.lines.append(action.text)
        elif isinstance(action, BindUpdateReceived):
            link.carry_out(link.session.acknowledge(action, link.now()))
        elif isinstance(action, UpdatesRequested):
            link.carry_out(link.session.reply(UpdDone(time=link.now(), xid=action.xid),
                                              link.now()))


@asynccontextmanager
async def running(
    nursery: trio.Nursery, config: FailoverPeerConfig,
    record: FailoverStateRecord | None = None,
) -> AsyncIterator[tuple[PeerLink, Recorder]]:
    recorder = Recorder()
    # The link's clock starts at the wall clock, whatever the trio clock says.
    link = PeerLink(FailoverSession.resume(config, record, int(time.time())), recorder)
    await nursery.start(link.run)
    try:
        yield link, recorder
    finally:
        link.stop()


async def wait_until(condition: object, seconds: float = 30) -> None:
    with trio.fail_after(seconds):
        while not condition():  # type: ignore[operator]
            await trio.sleep(0.1)


async def test_two_of_our_servers_reach_normal_both_ways(
    mock_clock: trio.testing.MockClock,
) -> None:
    primary_config, secondary_config = pair_configs()
    async with (
        trio.open_nursery() as nursery,
        running(nursery, primary_config) as (primary, p_log),
        running(nursery, secondary_config) as (secondary, s_log),
    ):
        def both_normal() -> bool:
            return all(side.session.machine.state is S.NORMAL
                       and side.session.machine.partner is S.NORMAL
                       for side in (primary, secondary))

        await wait_until(both_normal)
        # Idle for a minute: CONTACTs keep the link up.
        await trio.sleep(60)
        assert both_normal()

    for lines in (p_log.lines, s_log.lines):
        assert "failover peer fo: I move from recover to startup" in lines
        assert "failover peer fo: peer moves from unknown-state to recover" in lines
        assert "failover peer fo: Both servers normal" in lines
        assert not any(line.startswith("timeout waiting") for line in lines)
    assert secondary.session.machine.mclt == 30


class Frames:
    """The messages arriving on a stream, framed as the link frames them."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.buffer = b""

    async def next(self) -> FailoverMessage | None:
        """The next message, or None once the other end has closed."""
        while len(self.buffer) < 2 or len(self.buffer) < message_length(self.buffer[:2]):
            chunk = await self.stream.receive_some(2048)
            if not chunk:
                return None
            self.buffer += chunk
        size = message_length(self.buffer[:2])
        frame, self.buffer = self.buffer[:size], self.buffer[size:]
        message = decode(frame)
        assert not isinstance(message, UnknownMessage)
        return message


async def handshake_as_normal_secondary(
    listener: trio.SocketListener, primary: PeerLink
) -> Frames:
    """Play a secondary by hand: take the primary's connection, accept its CONNECT and
    report normal, then leave the connection to the test."""
    with trio.fail_after(30):
        frames = Frames(await listener.accept())
        connect = await frames.next()
    stream = frames.stream
    assert isinstance(connect, Connect)
    now = primary.now()
    await stream.send_all(
        encode(ConnectAck(time=now, xid=connect.xid, relationship_name=b"fo",
                          max_unacked=10, receive_timer=30))
        + encode(State(time=now, xid=1, server_state=S.NORMAL, server_flags=0, stos=now)))
    await wait_until(lambda: primary.session.machine.state is S.NORMAL)
    return frames


SAVED_NORMAL = FailoverStateRecord("fo", FailoverState.NORMAL, 1, FailoverState.NORMAL, 1)


async def test_a_silent_peer_is_dropped_after_max_response_delay(
    mock_clock: trio.testing.MockClock,
) -> None:
    primary_config, secondary_config = pair_configs()
    listeners = await trio.open_tcp_listeners(secondary_config.port, host=SECONDARY_ADDRESS)
    async with (
        trio.open_nursery() as nursery,
        running(nursery, primary_config, SAVED_NORMAL) as (primary, log),
    ):
        frames = await handshake_as_normal_secondary(listeners[0], primary)
        started = trio.current_time()
        # The fake peer says nothing more; the primary's CONTACTs keep coming.
        await wait_until(
            lambda: primary.session.machine.state is S.COMMUNICATIONS_INTERRUPTED)
        waited = trio.current_time() - started
        with trio.fail_after(5):
            while await frames.next() is not None:
                pass
        await frames.stream.aclose()
    await listeners[0].aclose()

    # Whole seconds on the session's clock: 10 s less the fraction of the second the
    # last message came in (with float rounding, so 9 may read 8.999...).
    assert 8.99 <= waited <= 11.5
    assert "timeout waiting for failover peer fo" in log.lines
    assert "failover peer fo: I move from normal to communications-interrupted" in log.lines


async def test_stopping_says_disconnect_before_closing(
    mock_clock: trio.testing.MockClock,
) -> None:
    primary_config, secondary_config = pair_configs()
    listeners = await trio.open_tcp_listeners(secondary_config.port, host=SECONDARY_ADDRESS)
    received: list[FailoverMessage] = []
    async with trio.open_nursery() as nursery:
        async with running(nursery, primary_config, SAVED_NORMAL) as (primary, _):
            frames = await handshake_as_normal_secondary(listeners[0], primary)
        with trio.fail_after(5):
            while (message := await frames.next()) is not None:
                received.append(message)
        await frames.stream.aclose()
    await listeners[0].aclose()

    assert isinstance(received[-1], Disconnect)
    assert received[-1].reject_reason is None


async def test_a_malformed_frame_drops_the_connection_with_iscs_words() -> None:
    primary_config, _ = pair_configs()
    async with (
        trio.open_nursery() as nursery,
        running(nursery, primary_config) as (_primary, log),
    ):
        peer = await trio.open_tcp_stream(
            PRIMARY_ADDRESS, primary_config.port, local_address=SECONDARY_ADDRESS)
        # A length of 5 is below the 12-byte header: ISC closes the link.
        await peer.send_all(b"\x00\x05\x0b\x0c")
        with trio.fail_after(5):
            while await peer.receive_some(2048):
                pass
        await peer.aclose()

    assert "message length wait: length 5 outside 12 to 2048" in log.lines


async def test_a_connection_from_another_address_is_turned_away() -> None:
    primary_config, _ = pair_configs()
    async with (
        trio.open_nursery() as nursery,
        running(nursery, primary_config) as (_primary, log),
    ):
        stranger = await trio.open_tcp_stream(
            PRIMARY_ADDRESS, primary_config.port, local_address="127.0.0.9")
        with trio.fail_after(5):
            assert await stranger.receive_some(2048) == b""
        await stranger.aclose()

    assert "failover: listener: no matching state" in log.lines


async def test_stopping_one_side_interrupts_the_other(
    mock_clock: trio.testing.MockClock,
) -> None:
    primary_config, secondary_config = pair_configs()
    async with (
        trio.open_nursery() as nursery,
        running(nursery, secondary_config) as (secondary, s_log),
    ):
        async with running(nursery, primary_config) as (primary, _):
            await wait_until(lambda: secondary.session.machine.state is S.NORMAL)
        await wait_until(
            lambda: secondary.session.machine.state is S.COMMUNICATIONS_INTERRUPTED,
            seconds=5)

    assert "peer fo: disconnected" in s_log.lines
    assert not any(line.startswith("timeout waiting") for line in s_log.lines)
    assert primary.session.active is None


class BurstRecorder(Recorder):
    """Takes the actions of each burst at once (as the daemon's runner does) and
    acknowledges its BNDUPDs together, in one `carry_out`."""

    def __init__(self) -> None:
        super().__init__()
        self.bursts: list[list[Action]] = []

    def burst(self, link: PeerLink, actions: list[Action]) -> None:
        self.bursts.append(actions)
        acks = []
        for action in actions:
            if isinstance(action, BindUpdateReceived):
                acks += link.session.acknowledge(action, link.now())
            else:
                self(link, action)
        link.carry_out(acks)


async def connect_as_primary(config: FailoverPeerConfig, now: int) -> Frames:
    """Play the primary by hand: connect to the secondary, CONNECT, and wait for the
    CONNECTACK (the link is then up)."""
    stream = await trio.open_tcp_stream(SECONDARY_ADDRESS, config.port,
                                        local_address=PRIMARY_ADDRESS)
    await stream.send_all(encode(Connect(
        time=now, xid=0, relationship_name=b"fo", max_unacked=10, receive_timer=30,
        protocol_version=1, mclt=30, hba=b"\xff" * 16 + b"\x00" * 16)))
    frames = Frames(stream)
    with trio.fail_after(5):
        assert isinstance(await frames.next(), ConnectAck)
    return frames


def bndupd(xid: int, last_octet: int, now: int) -> BndUpd:
    return BndUpd(time=now, xid=xid, assigned_address=IPv4Address(f"10.0.0.{last_octet}"),
                  binding_status=BindingStatus.FREE, lease_expiry=0, potential_expiry=now,
                  stos=now)


async def test_the_bndupds_of_one_read_come_as_one_burst_and_their_acks_leave_in_order(
) -> None:
    _, secondary_config = pair_configs()
    recorder = BurstRecorder()
    link = PeerLink(FailoverSession.resume(secondary_config, None, int(time.time())),
                    on_burst=recorder.burst)
    async with trio.open_nursery() as nursery:
        await nursery.start(link.run)
        now = link.now()
        frames = await connect_as_primary(secondary_config, now)
        await frames.stream.send_all(b"".join(encode(bndupd(100 + n, n, now))
                                              for n in range(1, 6)))
        acks: list[BndAck] = []
        with trio.fail_after(5):
            while len(acks) < 5:
                message = await frames.next()
                if isinstance(message, BndAck):  # the secondary's STATE comes first
                    acks.append(message)
        link.stop()

    (burst,) = [burst for burst in recorder.bursts
                if any(isinstance(action, BindUpdateReceived) for action in burst)]
    assert [action.update.xid for action in burst
            if isinstance(action, BindUpdateReceived)] == [101, 102, 103, 104, 105]
    assert [(ack.xid, str(ack.assigned_address), ack.reject_reason) for ack in acks] \
        == [(100 + n, f"10.0.0.{n}", None) for n in range(1, 6)]


async def test_a_malformed_frame_after_good_ones_ends_the_link_after_them() -> None:
    _, secondary_config = pair_configs()
    recorder = BurstRecorder()
    link = PeerLink(FailoverSession.resume(secondary_config, None, int(time.time())),
                    on_burst=recorder.burst)
    async with trio.open_nursery() as nursery:
        await nursery.start(link.run)
        now = link.now()
        frames = await connect_as_primary(secondary_config, now)
        good = encode(bndupd(7, 1, now)) + encode(bndupd(8, 2, now))
        # A BNDUPD whose binding-status option says 2 bytes where ISC wants 1.
        bad = bytearray(encode(bndupd(9, 3, now)))
        at = bad.index(b"\x00\x03\x00\x01")
        bad[at:at + 5] = b"\x00\x03\x00\x02\x00"
        bad[0:2] = len(bad).to_bytes(2, "big")
        await frames.stream.send_all(good + bytes(bad) + encode(bndupd(10, 4, now)))
        with trio.fail_after(5):
            while await frames.next() is not None:
                pass
        link.stop()

    received = [action.update.xid for burst in recorder.bursts for action in burst
                if isinstance(action, BindUpdateReceived)]
    assert received == [7, 8]
    assert "FAILOVER: option size (2:1), option binding-status" in recorder.lines
