"""The real `dhcpd -T` as the judge of a lease file, our `leases --json` as its reader,
and the last record of an address."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ops.lab.lease_file_check import isc_complaints, last_record, lease_table
from ops.lab.processes import LabError

CONF = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.100 10.0.0.199;\n}\n"
GOOD = """\
lease 10.0.0.100 {
  starts 5 2026/11/27 20:27:33;
  ends 5 2026/11/27 20:32:33;
  binding state active;
  hardware ethernet 02:00:00:00:00:01;
}
lease 10.0.0.100 {
  starts 5 2026/11/27 20:27:33;
  ends 5 2026/11/27 20:27:40;
  binding state free;
  hardware ethernet 02:00:00:00:00:01;
}
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "dhcpd.conf"
    config.write_text(CONF)
    return config, tmp_path / "dhcpd.leases"


@pytest.mark.isc
def test_a_lease_file_dhcpd_reads_quietly_has_no_complaints(
    files: tuple[Path, Path], tmp_path: Path, require_tool: Callable[[str], str]
) -> None:
    config, leases = files
    leases.write_text(GOOD)

    assert isc_complaints(config, leases, tmp_path / "check", dhcpd=require_tool("dhcpd")) == []
    assert leases.read_text() == GOOD  # dhcpd read a copy
    assert list((tmp_path / "check").iterdir()) == []


@pytest.mark.isc
def test_a_corrupt_record_is_reported_in_dhcpds_words(
    files: tuple[Path, Path], tmp_path: Path, require_tool: Callable[[str], str]
) -> None:
    config, leases = files
    leases.write_text("lease 10.0.0.100 {\n  starts 5 2026/11/27 20:27:33;\n  bogus;\n}\n")

    complaints = isc_complaints(config, leases, tmp_path / "check", dhcpd=require_tool("dhcpd"))

    assert any("Unexpected configuration directive." in line for line in complaints)
    assert "Corrupt lease file - possible data loss!" in complaints


def test_a_program_that_is_not_dhcpd_is_a_lab_error(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    config, leases = files
    leases.write_text(GOOD)
    with pytest.raises(LabError, match="printed no banner"):
        isc_complaints(config, leases, tmp_path / "check", dhcpd="/bin/true")
    with pytest.raises(LabError, match="No such file"):
        isc_complaints(config, leases, tmp_path / "check", dhcpd=str(tmp_path / "missing"))


def test_the_last_record_of_an_address_is_the_one_that_counts() -> None:
    record = last_record(GOOD, "10.0.0.100")

    assert record is not None
    assert "binding state free;" in record
    assert "binding state active;" not in record
    assert last_record(GOOD, "10.0.0.10") is None
    assert last_record(GOOD, "10.0.0.1") is None


def test_the_lease_table_is_what_leaseledger_leases_prints(files: tuple[Path, Path]) -> None:
    config, leases = files
    leases.write_text(GOOD)

    rows = lease_table(config, leases)

    assert [(row["ip"], row["state"], row["hardware"]) for row in rows] == [
        ("10.0.0.100", "free", "02:00:00:00:00:01")]


def test_a_lease_table_that_cannot_be_read_is_a_lab_error(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    config, _ = files
    with pytest.raises(LabError, match="no such lease file"):
        lease_table(config, tmp_path / "missing.leases")
    with pytest.raises(LabError, match="printed no JSON"):
        lease_table(config, tmp_path / "any", leaseledger="/bin/true")
