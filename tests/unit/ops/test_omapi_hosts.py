"""`HostDirectory`: dhcpd's host objects — made, found, changed and removed through
OMAPI, written to the lease file before the answer, served from the configuration the
lease file's hosts make (as after a restart), and refused by dhcpd's rules without a
write."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from adapters.leasefile.lease_log import LeaseLog
from adapters.omapi_objects_port import (
    BAD_PARSE,
    EXISTS,
    INVALID_ARG,
    KEY_CONFLICT,
    NO_KEYS,
    NOT_FOUND,
    NOT_IMPLEMENTED,
    SUCCESS,
    UNEXPECTED,
    UNKNOWN_ATTRIBUTE,
    ObjectRef,
)
from adapters.omapi_wire import int_value
from domain.lease import BindingState, Hardware, Lease
from ops.omapi_hosts import HostDirectory
from projections.lease_view import LeaseView

T0 = 1_800_000_000
CONF = """\
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.110; }
host printer { hardware ethernet 02:00:00:00:00:01; fixed-address 10.0.0.5; }
"""
MAC = bytes.fromhex("0200000000e1")
NEW_HOST = [("name", b"omhost1"), ("hardware-address", MAC), ("hardware-type", int_value(1)),
            ("ip-address", bytes([10, 0, 0, 60]))]


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[SimpleNamespace]:
    (tmp_path / "dhcpd.conf").write_text(CONF)
    config = build_config(read_config(str(tmp_path / "dhcpd.conf")).tree)
    with LeaseLog(tmp_path / "dhcpd.leases") as lease_log:
        view = LeaseView(config)
        view.apply(Lease(ip="10.0.0.100", binding_state=BindingState.ACTIVE, starts=T0,
                         ends=T0 + 600, hardware=Hardware(1, MAC)))
        yield SimpleNamespace(config=config, log=lease_log, view=view,
                              logger=logging.getLogger("test"), now=lambda: T0,
                              configured=config, path=str(tmp_path / "dhcpd.conf"))


@pytest.fixture
def hosts(daemon) -> HostDirectory:
    return HostDirectory(daemon, daemon.path, daemon.configured, clock=T0)


def served(daemon, name: str):
    return next((host for host in daemon.config.hosts if host.name == name), None)


def written(daemon) -> list[tuple[str, bool]]:
    return [(record.name, record.deleted) for record, _ in daemon.log.host_records()]


def test_a_made_host_is_written_then_served(daemon, hosts) -> None:
    assert hosts.create(NEW_HOST) == ObjectRef("host", "omhost1")
    assert written(daemon) == [("omhost1", False)]
    host = served(daemon, "omhost1")
    assert host is not None and host.fixed_addresses == ("10.0.0.60",)
    assert daemon.config.host_by_hardware(1, MAC) == host
    assert hosts.published("omhost1") == [
        ("ip-address", bytes([10, 0, 0, 60])), ("name", b"omhost1"),
        ("hardware-address", MAC), ("hardware-type", int_value(1))]


def test_a_host_with_statements_is_served_with_them(daemon, hosts) -> None:
    made = hosts.create([*NEW_HOST, ("statements", b'option host-name "pxe-1";')])
    assert made == ObjectRef("host", "omhost1")
    host = served(daemon, "omhost1")
    assert host is not None and [o.name for o in host.scope.options] == ["host-name"]


def test_refusals_write_nothing(daemon, hosts) -> None:
    assert hosts.create([("name", b"nobody")]) == INVALID_ARG  # no hardware, no client id
    assert hosts.create([("name", b"printer"), ("hardware-address", MAC)]) == EXISTS
    assert hosts.create([*NEW_HOST, ("statements", b"frobnicate this;")]) == BAD_PARSE
    assert hosts.create([("name", b"a"), ("name", b"b")]) == EXISTS
    assert hosts.create([("colour", b"red")]) == UNKNOWN_ATTRIBUTE
    assert hosts.create([("hardware-address", MAC), ("hardware-type", b"\x01")]) == INVALID_ARG
    assert written(daemon) == []
    assert [host.name for host in daemon.config.hosts] == ["printer"]


def test_a_host_without_a_name_gets_one_made_up(daemon, hosts) -> None:
    made = hosts.create([("dhcp-client-identifier", b"\x01client")])
    assert isinstance(made, ObjectRef) and made.key == f"nh{T0:08x}00000001"
    assert daemon.config.host_by_client_id(b"\x01client") is not None


def test_lookups_by_each_key_must_agree(daemon, hosts) -> None:
    hosts.create(NEW_HOST)
    host = ObjectRef("host", "omhost1")
    assert hosts.lookup({"name": b"omhost1"}) == host
    assert hosts.lookup({"hardware-address": MAC}) == host
    # the host of the lease at that address (the lease's hardware address)
    assert hosts.lookup({"ip-address": ipaddress.IPv4Address("10.0.0.100").packed}) == host
    assert hosts.lookup({"name": b"printer"}) == ObjectRef("host", "printer")
    assert hosts.lookup({"name": b"printer", "hardware-address": MAC}) == KEY_CONFLICT
    assert hosts.lookup({"name": b"nobody"}) == NOT_FOUND
    assert hosts.lookup({"ip-address": bytes([10, 0, 0, 101])}) == NOT_FOUND
    assert hosts.lookup({}) == NO_KEYS


def test_a_made_host_changes_and_a_configured_one_does_not(daemon, hosts) -> None:
    hosts.create(NEW_HOST)
    assert hosts.update("omhost1", [("ip-address", bytes([10, 0, 0, 61]))]) == SUCCESS
    assert written(daemon) == [("omhost1", False), ("omhost1", True), ("omhost1", False)]
    host = served(daemon, "omhost1")
    assert host is not None and host.fixed_addresses == ("10.0.0.61",)
    assert hosts.update("omhost1", [("name", b"other")]) == EXISTS
    assert hosts.update("printer", [("ip-address", bytes([10, 0, 0, 62]))]) == NOT_IMPLEMENTED
    assert hosts.update("nobody", []) == NOT_FOUND


def test_removing_records_the_deletion_and_stops_serving(daemon, hosts) -> None:
    hosts.create(NEW_HOST)
    assert hosts.remove("omhost1") == SUCCESS
    assert hosts.remove("printer") == SUCCESS
    assert daemon.config.hosts == ()
    texts = [text for _, text in daemon.log.host_records()]
    assert texts[1:] == ["host omhost1 {\n  dynamic;\n  deleted;\n}\n",
                         "host printer {\n  deleted;\n}\n"]
    assert hosts.remove("printer") == NOT_FOUND
    assert hosts.lookup({"name": b"printer"}) == NOT_FOUND


def test_a_name_or_statements_that_would_break_out_of_the_record_are_refused(
    daemon, hosts,
) -> None:
    smuggled = b'filename "x";\n}\nlease 10.0.0.7 {\n  binding state active;'
    assert hosts.create([*NEW_HOST, ("statements", smuggled)]) == INVALID_ARG
    for name in (b"two words", b"a{b", b"x;\n}\nhost y", b""):
        assert hosts.create([("name", name), ("hardware-address", MAC)]) == INVALID_ARG
    assert written(daemon) == []


def test_no_host_changes_once_dhcpd_conf_was_edited_under_the_server(daemon, hosts) -> None:
    Path(daemon.path).write_text(CONF + "subnet 10.9.0.0 netmask 255.255.255.0 {}\n")
    assert hosts.create(NEW_HOST) == UNEXPECTED
    assert written(daemon) == []
    assert [host.name for host in daemon.config.hosts] == ["printer"]
