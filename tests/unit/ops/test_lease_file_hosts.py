"""The lease file's host records applied to the configuration as dhcpd applies them at
start-up: file order, deletions whoever made the host, a taken name refused, the
statements a dynamic host carries, and dhcpd's start-up lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from domain.config.model import DhcpConfig
from domain.lease import Hardware, HostRecord
from ops.lease_file_hosts import apply_lease_file_hosts

CONF = """\
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.110; }
host printer { hardware ethernet 02:00:00:00:00:01; fixed-address 10.0.0.5; }
"""
MAC = Hardware(1, bytes.fromhex("0200000000e1"))


def dynamic(name: str, address: str = "10.0.0.60", extra: str = "") -> tuple[HostRecord, str]:
    text = (f"host {name} {{\n  dynamic;\n  hardware ethernet 02:00:00:00:00:e1;\n"
            f"  fixed-address {address};\n{extra}}}\n")
    return HostRecord(name, dynamic=True, hardware=MAC, fixed_addresses=(address,)), text


def deleted(name: str) -> tuple[HostRecord, str]:
    return HostRecord(name, deleted=True), f"host {name} {{\n  deleted;\n}}\n"


@pytest.fixture
def configured(tmp_path: Path, make_config: Callable[[str], DhcpConfig]
               ) -> tuple[str, DhcpConfig]:
    config = make_config(CONF)
    return str(tmp_path / "dhcpd.conf"), config  # make_config wrote it there


def names(config: DhcpConfig) -> list[str]:
    return [host.name for host in config.hosts]


def test_nothing_in_the_lease_file_leaves_the_configuration_as_it_is(configured) -> None:
    path, config = configured
    applied = apply_lease_file_hosts(path, config, [])
    assert applied.config is config and applied.errors == ()
    # dhcpd knows a host (the configured one), so it logs its host lines
    assert applied.info == ("Wrote 0 deleted host decls to leases file.",
                            "Wrote 0 new dynamic host decls to leases file.")


def test_a_dynamic_host_is_served_with_its_statements(configured) -> None:
    path, config = configured
    applied = apply_lease_file_hosts(
        path, config, [dynamic("omhost1", extra='        option host-name "pxe-1";\n')])
    assert names(applied.config) == ["printer", "omhost1"]
    host = applied.config.host_by_hardware(1, MAC.address)
    assert host is not None and host.fixed_addresses == ("10.0.0.60",)
    assert [option.name for option in host.scope.options] == ["host-name"]
    assert applied.config.files == config.files


def test_deletions_apply_in_file_order_whoever_made_the_host(configured) -> None:
    path, config = configured
    applied = apply_lease_file_hosts(
        path, config, [dynamic("omhost1"), deleted("omhost1"), deleted("printer"),
                       deleted("never-was")])
    assert names(applied.config) == []
    assert applied.info[0] == "Wrote 1 deleted host decls to leases file."


def test_a_taken_name_is_refused_and_a_deleted_one_can_be_taken(configured) -> None:
    path, config = configured
    refused = apply_lease_file_hosts(path, config, [dynamic("printer", "10.0.0.61")])
    assert refused.errors == ("host printer: already exists",)
    assert [h.fixed_addresses for h in refused.config.hosts] == [("10.0.0.5",)]

    taken = apply_lease_file_hosts(path, config,
                                   [deleted("printer"), dynamic("printer", "10.0.0.61")])
    assert taken.errors == ()
    assert [h.fixed_addresses for h in taken.config.hosts] == [("10.0.0.61",)]
    assert taken.info[0] == "Wrote 0 deleted host decls to leases file."


def test_host_records_that_do_not_read_are_named_and_change_nothing(configured) -> None:
    path, config = configured
    text = "host bad {\n  dynamic;\n  hardware ethernet zz;\n}\n"
    broken = (HostRecord("bad", dynamic=True), text)
    applied = apply_lease_file_hosts(path, config, [broken])
    assert applied.config is config
    [error] = applied.errors
    assert error.startswith("the lease file's host records are not served: ")
