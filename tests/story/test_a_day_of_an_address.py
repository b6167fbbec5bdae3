"""A day in the life of 10.0.0.111, told back by `audit` and `leases --at`.

The server (not yet wired here) records each change as an event in the lease log; this
story writes the same events through the real LeaseLog, then asks the questions an
administrator asks the next morning, through the real command line.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.leasefile.lease_log import LeaseLog
from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import Acked, Freed, LeaseEvent, Released
from ops.cli import main

IP = "10.0.0.111"
LAPTOP = Hardware(1, bytes.fromhex("020000000111"))
PRINTER = Hardware(1, bytes.fromhex("020000000222"))
CONF = """
authoritative;
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.120; }
"""


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=UTC)


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


@pytest.fixture
def day(tmp_path: Path) -> tuple[Path, Path]:
    conf, leases = tmp_path / "dhcpd.conf", tmp_path / "dhcpd.leases"
    conf.write_text(CONF)
    log = LeaseLog(leases)

    def happen(cls: type[LeaseEvent], when: datetime, lease: Lease, cause: str) -> None:
        version = (log.version_of(IP) or 0) + 1
        log.append([cls(originator_id=IP, originator_version=version, timestamp=when,
                        lease=lease, cause=cause)])

    # 08:00 the laptop boots: DHCPDISCOVER, DHCPOFFER (an offer is held in memory only,
    # as dhcpd holds it, so it leaves no record), then DHCPREQUEST and DHCPACK.
    bound = Lease(IP, starts=ts(at(8, 0)), ends=ts(at(12, 0)), cltt=ts(at(8, 0)),
                  binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
                  hardware=LAPTOP, client_hostname="laptop")
    happen(Acked, at(8, 0), bound, "DHCPACK on 10.0.0.111 to 02:00:00:00:01:11 via eth0")
    # 10:00 it renews at T1: the same address, a later end.
    renewed = Lease(IP, starts=ts(at(10, 0)), ends=ts(at(14, 0)), cltt=ts(at(10, 0)),
                    binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
                    hardware=LAPTOP, client_hostname="laptop")
    happen(Acked, at(10, 0), renewed, "DHCPACK on 10.0.0.111 (renewal)")
    # 13:30 the laptop shuts down cleanly: DHCPRELEASE.
    released = Lease(IP, starts=ts(at(8, 0)), ends=ts(at(13, 30)), cltt=ts(at(13, 30)),
                     binding_state=BindingState.RELEASED, hardware=LAPTOP)
    happen(Released, at(13, 30), released, "DHCPRELEASE of 10.0.0.111 (found)")
    freed = Lease(IP, starts=ts(at(8, 0)), ends=ts(at(13, 30)),
                  binding_state=BindingState.FREE, hardware=LAPTOP)
    happen(Freed, at(13, 30), freed, "released lease returned to the pool")
    # 15:00 the printer gets the same address.
    printer = Lease(IP, starts=ts(at(15, 0)), ends=ts(at(19, 0)), cltt=ts(at(15, 0)),
                    binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
                    hardware=PRINTER)
    happen(Acked, at(15, 0), printer, "DHCPACK on 10.0.0.111 to 02:00:00:00:02:22 via eth0")
    log.close()
    return conf, leases


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict]:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_the_audit_tells_the_day_in_order(day, capsys) -> None:
    conf, leases = day
    rows = run_json(capsys, "audit", "-cf", str(conf), "-lf", str(leases), IP, "--json")
    assert [(r["time"], r["event"], r["change"], r["hardware"]) for r in rows] == [
        ("2026/11/24 08:00:00", "Acked", "- -> active", "02:00:00:00:01:11"),
        ("2026/11/24 10:00:00", "Acked", "active -> active", "02:00:00:00:01:11"),
        ("2026/11/24 13:30:00", "Released", "active -> released", "02:00:00:00:01:11"),
        ("2026/11/24 13:30:00", "Freed", "released -> free", "02:00:00:00:01:11"),
        ("2026/11/24 15:00:00", "Acked", "free -> active", "02:00:00:00:02:22"),
    ]
    assert rows[2]["cause"] == "DHCPRELEASE of 10.0.0.111 (found)"


def test_who_had_the_address_at_each_moment(day, capsys) -> None:
    conf, leases = day
    expected = {
        "2026/11/24 07:59": None,
        "2026/11/24 09:00": ("active", "02:00:00:00:01:11", "2026/11/24 12:00:00"),
        "2026/11/24 11:00": ("active", "02:00:00:00:01:11", "2026/11/24 14:00:00"),
        "2026/11/24 14:05": ("free", "02:00:00:00:01:11", "2026/11/24 13:30:00"),
        "2026/11/24 16:00": ("active", "02:00:00:00:02:22", "2026/11/24 19:00:00"),
    }
    for moment, want in expected.items():
        rows = run_json(capsys, "leases", "-cf", str(conf), "-lf", str(leases),
                        "--at", moment, "--json")
        got = [(r["state"], r["hardware"], r["ends"]) for r in rows if r["ip"] == IP]
        assert got == ([want] if want else []), moment


def test_the_laptops_own_history_ends_when_it_gave_the_address_back(day, capsys) -> None:
    _conf, leases = day
    rows = run_json(capsys, "audit", "-lf", str(leases), "02:00:00:00:01:11", "--json",
                    "--since", "2026/11/24 12:00")
    assert [r["event"] for r in rows] == ["Released", "Freed", "Acked"]
    assert rows[-1]["hardware"] == "02:00:00:00:02:22"  # the moment the printer took it


def test_pools_and_the_current_table(day, capsys) -> None:
    conf, leases = day
    pools = run_json(capsys, "pools", "-cf", str(conf), "-lf", str(leases), "--json")
    assert [(p["total"], p["free"]) for p in pools] == [(21, 20)]
    active = run_json(capsys, "leases", "-cf", str(conf), "-lf", str(leases),
                      "--state", "active", "--json")
    assert [(r["ip"], r["hardware"]) for r in active] == [(IP, "02:00:00:00:02:22")]
    assert main(["pools", "-cf", str(conf), "-lf", str(leases)]) == 0
    out = capsys.readouterr().out
    assert "pool 0 10.0.0.0/24  total 21  free 20  backup 0  lts 0  max-own (+/-)0" in out


def test_bad_arguments_get_one_clear_line(day, capsys) -> None:
    conf, leases = day
    assert main(["leases", "-lf", str(leases), "--at", "yesterday"]) == 1
    assert "cannot read the time 'yesterday'" in capsys.readouterr().err
    assert main(["leases", "-lf", str(leases), "--state", "happy"]) == 1
    assert "unknown state 'happy'" in capsys.readouterr().err
    assert main(["audit", "-lf", str(conf.parent / "nope.leases"), IP]) == 1
    assert "no such lease file" in capsys.readouterr().err


def test_a_site_that_names_its_lease_file_in_dhcpd_conf(day, capsys, monkeypatch) -> None:
    """`serve` writes where dhcpd.conf's lease-file-name says; the tools read there too,
    unless told otherwise with -lf or LEASELEDGER_LEASE_FILE."""
    conf, leases = day
    named = conf.with_name("named.conf")
    named.write_text(f'lease-file-name "{leases}";\n{CONF}')
    monkeypatch.delenv("LEASELEDGER_LEASE_FILE", raising=False)

    rows = run_json(capsys, "audit", "-cf", str(named), IP, "--json")
    assert [r["event"] for r in rows] == ["Acked", "Acked", "Released", "Freed", "Acked"]
    pools = run_json(capsys, "pools", "-cf", str(named), "--json")
    assert [(p["total"], p["free"]) for p in pools] == [(21, 20)]
    active = run_json(capsys, "leases", "-cf", str(named), "--state", "active", "--json")
    assert [r["ip"] for r in active] == [IP]

    elsewhere = str(conf.parent / "copy.leases")
    assert main(["audit", "-cf", str(named), "-lf", elsewhere, IP]) == 1
    assert f"{elsewhere}: no such lease file" in capsys.readouterr().err
    monkeypatch.setenv("LEASELEDGER_LEASE_FILE", elsewhere)
    assert main(["leases", "-cf", str(named)]) == 1
    assert f"{elsewhere}: no such lease file" in capsys.readouterr().err


def test_a_configuration_named_but_missing_is_one_clear_line(day, capsys, monkeypatch) -> None:
    conf, _leases = day
    monkeypatch.delenv("LEASELEDGER_LEASE_FILE", raising=False)
    missing = conf.parent / "missing.conf"
    assert main(["audit", "-cf", str(missing), IP]) == 1
    assert capsys.readouterr().err == (
        f"leaseledger: {missing}: No such file or directory\n")
