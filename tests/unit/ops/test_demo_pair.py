"""The demo's log journal and port probe, on real files and sockets."""

from __future__ import annotations

import socket
from pathlib import Path

from ops.demo_pair import LogJournal, busy_ports


def test_the_journal_keeps_lines_of_both_servers_in_arrival_order(tmp_path: Path) -> None:
    one, two = tmp_path / "one.log", tmp_path / "two.log"
    one.write_text("before the demo followed it\n")
    journal = LogJournal()
    journal.follow("dhcp1", one)
    journal.follow("dhcp2", two)  # not there yet: the server creates it
    with one.open("a") as out:
        out.write("first\n")
    journal.poll()
    mark = journal.mark()
    two.write_text("second\nhalf a li")
    journal.poll()
    with one.open("a") as out:
        out.write("third\n")
    with two.open("a") as out:
        out.write("ne\n")
    journal.poll()
    assert journal.since(0) == [("dhcp1", "first"), ("dhcp2", "second"),
                                ("dhcp1", "third"), ("dhcp2", "half a line")]
    assert journal.since(mark) == [("dhcp2", "second"), ("dhcp1", "third"),
                                   ("dhcp2", "half a line")]


def test_the_journal_follows_files_by_itself_while_open(tmp_path: Path) -> None:
    log = tmp_path / "dhcpd.log"
    with LogJournal() as journal:
        journal.follow("dhcp1", log)
        log.write_text("Server starting service.\n")
    assert journal.since(0) == [("dhcp1", "Server starting service.")]


def test_a_held_port_is_reported_and_a_free_one_is_not() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, \
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        # What a forgotten server holds: SO_REUSEADDR, as the DHCP socket sets it.
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        udp.bind(("127.0.0.1", 0))
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(1)
        udp_port, tcp_port = udp.getsockname()[1], tcp.getsockname()[1]
        assert busy_ports([("127.0.0.1", udp_port)], [("127.0.0.1", tcp_port)]) == [
            f"127.0.0.1:{udp_port}/udp", f"127.0.0.1:{tcp_port}/tcp"]
    assert busy_ports([("127.0.0.1", udp_port)], [("127.0.0.1", tcp_port)]) == []
