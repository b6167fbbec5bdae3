"""`ReplySender`: a reply goes out at once when the socket has room (counted, its reply
lines written), through a task when it has none, and a failed send is logged."""

from __future__ import annotations

import trio

from domain.dhcp_decision import Decision, info
from domain.dhcp_packet import Inbound, MessageType
from domain.reply_route import Route
from ops.reply_sender import ReplySender, ServerStats
from tests.log_lines import LogLines, logger_with_lines
from tests.unit.domain.conftest import dhcp_packet, mac


class FakeEndpoint:
    """Room in the socket or not; or every send fails."""

    port = 67

    def __init__(self, *, room: bool = True, broken: bool = False) -> None:
        self.room, self.broken = room, broken
        self.sent: list[tuple[bytes, Route]] = []

    def try_send(self, data: bytes, route: Route) -> bool:
        if self.broken:
            raise OSError(101, "Network is unreachable")
        if self.room:
            self.sent.append((data, route))
        return self.room

    async def send(self, data: bytes, route: Route) -> None:
        await trio.lowlevel.checkpoint()
        self.sent.append((data, route))


def sender(endpoint: FakeEndpoint) -> tuple[ReplySender, ServerStats, LogLines]:
    logger, lines = logger_with_lines("test-reply-sender")
    stats = ServerStats()
    return ReplySender(endpoint, stats, logger), stats, lines  # type: ignore[arg-type]


REQUEST = Inbound(dhcp_packet(MessageType.DHCPDISCOVER, mac(1)), "eth0", "0.0.0.0", 68,
                  "10.0.0.2")
OFFER = Decision(reply=dhcp_packet(MessageType.DHCPOFFER, mac(1)),
                 reply_log=(info("DHCPOFFER on 10.0.0.100"),))


def test_with_room_the_reply_leaves_at_once() -> None:
    endpoint = FakeEndpoint()
    replies, stats, lines = sender(endpoint)
    replies.send_now(REQUEST, OFFER, None)
    assert len(endpoint.sent) == 1 and endpoint.sent[0][1].port == 68
    assert stats.replies == 1 and lines.texts == ["DHCPOFFER on 10.0.0.100"]
    replies.send_now(REQUEST, Decision(), None)  # no reply: nothing sent
    assert stats.replies == 1


def test_without_room_a_task_waits_and_sends() -> None:
    endpoint = FakeEndpoint(room=False)
    replies, stats, _lines = sender(endpoint)

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            replies.send_now(REQUEST, OFFER, nursery)
            assert stats.replies == 0

    trio.run(main)
    assert len(endpoint.sent) == 1 and stats.replies == 1


def test_a_failed_send_is_logged_and_not_counted() -> None:
    replies, stats, lines = sender(FakeEndpoint(broken=True))
    replies.send_now(REQUEST, OFFER, None)
    assert stats.replies == 0
    assert lines.texts == ["send to 255.255.255.255:68 failed: Network is unreachable"]
