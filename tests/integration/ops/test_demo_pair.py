"""The demo's server processes: started, waited for, stopped by PID."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.demo_pair import DemoServer, DemoStopped, LogJournal

EXAMPLE = Path(__file__).resolve().parents[3] / "ops/examples/known-unknown/dhcpd.conf"
PORT = 26777


def server(tmp_path: Path, journal: LogJournal, config: str | None = None) -> DemoServer:
    conf = tmp_path / "dhcpd.conf"
    conf.write_text(config if config is not None else "ping-check false;\n" + EXAMPLE.read_text())
    return DemoServer("dhcp1", str(conf), PORT, tmp_path / "dhcp1", journal)


def test_a_server_is_waited_for_and_stopped_by_sigterm(tmp_path: Path) -> None:
    with LogJournal() as journal:
        dhcp1 = server(tmp_path, journal)
        dhcp1.start()
        try:
            dhcp1.wait_for("Server starting service.", 0, 30)
            assert dhcp1.pidfile.read_text().strip() == str(dhcp1.pid)
        finally:
            status = dhcp1.stop()
    assert status == 0  # SIGTERM is a clean stop
    assert not dhcp1.running()
    assert not dhcp1.pidfile.exists()
    assert ("dhcp1", "Server starting service.") in journal.since(0)


def test_a_line_that_never_comes_stops_the_demo_with_a_reason(tmp_path: Path) -> None:
    with LogJournal() as journal:
        dhcp1 = server(tmp_path, journal)
        dhcp1.start()
        try:
            with pytest.raises(DemoStopped, match="did not log 'Both servers normal' within 1 s"):
                dhcp1.wait_for("Both servers normal", 0, 1)
        finally:
            dhcp1.stop()


def test_a_server_that_exits_stops_the_demo_with_its_status(tmp_path: Path) -> None:
    with LogJournal() as journal:
        dhcp1 = server(tmp_path, journal, config="subnet 10.0.0.0 netmask 255.255.255.0 {\n")
        dhcp1.start()
        with pytest.raises(DemoStopped, match=r"dhcp1 exited \(status 1\) before logging"):
            dhcp1.wait_for("Server starting service.", 0, 30)
    assert any("Configuration file errors encountered" in line
               for _label, line in journal.since(0))
