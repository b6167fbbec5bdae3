"""How the demo prints what the servers logged during a step."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.demo_pair import DemoServer, LogJournal
from ops.demo_story import Story


def story_with_logs(tmp_path: Path, lines: list[tuple[str, str]]) -> Story:
    journal = LogJournal()
    servers = [DemoServer(label, "pair.conf", port, tmp_path / label, journal)
               for label, port in (("dhcp1", 16767), ("dhcp2", 16768))]
    for server in servers:
        server.folder.mkdir()
        journal.follow(server.label, server.log)
    for label, line in lines:
        with (tmp_path / label / "dhcpd.log").open("a") as out:
            out.write(line + "\n")
        journal.poll()
    return Story(servers[0], servers[1], journal, tmp_path)


def test_each_line_is_marked_with_its_server_and_paths_are_shown_as_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = story_with_logs(tmp_path, [
        ("dhcp2", f"Database file: {tmp_path}/dhcp2/dhcpd.leases"),
        ("dhcp1", "failover peer dhcp-failover: I move from recover to startup"),
    ])
    story.show_log(0)
    assert capsys.readouterr().out.splitlines() == [
        "[dhcp2] Database file: $DEMO/dhcp2/dhcpd.leases",
        "[dhcp1] failover peer dhcp-failover: I move from recover to startup",
    ]


def test_only_the_named_clients_exchanges_are_shown_the_rest_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = story_with_logs(tmp_path, [
        ("dhcp1", "DHCPDISCOVER from 02:de:00:00:00:01 via 127.0.0.2: load balance to peer"),
        ("dhcp2", "DHCPDISCOVER from 02:de:00:00:00:01 via 127.0.0.2"),
        ("dhcp2", "DHCPDISCOVER from 02:de:00:00:00:02 via 127.0.0.2"),
        ("dhcp2", "DHCPOFFER on 10.0.0.101 to 02:de:00:00:00:02 via 127.0.0.2"),
        ("dhcp1", "failover peer dhcp-failover: Both servers normal"),
    ])
    mark = 1  # what came before a step began is not the step's
    story.show_log(mark, ["02:de:00:00:00:01"])
    assert capsys.readouterr().out.splitlines() == [
        "[dhcp2] DHCPDISCOVER from 02:de:00:00:00:01 via 127.0.0.2",
        "[dhcp1] failover peer dhcp-failover: Both servers normal",
        "[dhcp2] … 2 more DHCP lines, for the other clients ($DEMO/dhcp2/dhcpd.log)",
    ]
