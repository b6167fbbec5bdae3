"""`ServerObjects`: the daemon's leases, failover relationships and the server itself as
OMAPI objects — dhcpd's lookups (and their conflicts), its attributes in its order and
encodings, partner-down by `local-state`, shutdown by the control object.  (Hosts:
test_omapi_hosts.)"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from adapters.omapi_objects_port import (
    INVALID_ARG,
    KEY_CONFLICT,
    MULTIPLE,
    NO_KEYS,
    NOT_FOUND,
    NOT_IMPLEMENTED,
    SUCCESS,
    ObjectRef,
)
from adapters.omapi_wire import int_value
from domain.failover.states import ServerState
from domain.lease import BindingState
from domain.lease_events import Administered
from ops.omapi_objects import ServerObjects
from tests.omapi_server import MAC, T0, fake_server


@pytest.fixture
def server(tmp_path: Path) -> SimpleNamespace:
    return fake_server(tmp_path)


@pytest.fixture
def shutdowns() -> list[str]:
    return []


@pytest.fixture
def objects(server, shutdowns) -> ServerObjects:
    return ServerObjects(server, lambda: shutdowns.append("shutdown"))


def named(values) -> dict[str, object]:
    return dict(values)


def test_a_lease_is_found_by_address_client_id_or_hardware_when_they_agree(objects) -> None:
    lease = ObjectRef("lease", "10.0.0.200")
    address = ipaddress.IPv4Address("10.0.0.200").packed
    assert objects.lookup("lease", {"ip-address": address}) == lease
    assert objects.lookup("lease", {"dhcp-client-identifier": b"\x01client"}) == lease
    assert objects.lookup("lease", {"ip-address": address,
                                    "dhcp-client-identifier": b"\x01client"}) == lease
    # Two leases carry the MAC: by itself it names neither, beside the address it agrees.
    assert objects.lookup("lease", {"hardware-address": MAC.address}) == MULTIPLE
    assert objects.lookup("lease", {"ip-address": address,
                                    "hardware-address": MAC.address}) == lease
    other = ipaddress.IPv4Address("10.0.0.202").packed
    assert objects.lookup("lease", {"ip-address": other,
                                    "dhcp-client-identifier": b"\x01client"}) == KEY_CONFLICT


def test_lease_lookups_that_find_nothing(objects) -> None:
    assert objects.lookup("lease", {}) == NO_KEYS
    outside = ipaddress.IPv4Address("10.9.9.9").packed
    assert objects.lookup("lease", {"ip-address": outside}) == NOT_FOUND
    assert objects.lookup("lease", {"ip-address": b"\x0a\x00"}) == NOT_FOUND
    assert objects.lookup("lease", {"dhcp-client-identifier": b"nobody"}) == NOT_FOUND
    assert objects.lookup("lease", {"hardware-address": MAC.address,
                                    "hardware-type": b"\x01"}) == INVALID_ARG
    token_ring = {"hardware-address": MAC.address, "hardware-type": int_value(6)}
    assert objects.lookup("lease", token_ring) == NOT_FOUND


def test_a_lease_publishes_dhcpds_attributes_in_its_order(objects) -> None:
    values = objects.published(ObjectRef("lease", "10.0.0.200"))
    assert values is not None
    assert [name for name, _ in values] == [
        "state", "ip-address", "dhcp-client-identifier", "client-hostname", "subnet",
        "pool", "hardware-address", "hardware-type", "ends", "starts", "tstp", "tsfp",
        "atsfp", "cltt", "flags"]
    got = named(values)
    assert got["state"] == int_value(2)  # FTS_ACTIVE
    assert got["ip-address"] == bytes([10, 0, 0, 200])
    assert got["client-hostname"] == b"laptop"
    assert got["subnet"] == ObjectRef("subnet", "0") and got["pool"] == ObjectRef("pool", "1")
    assert (got["hardware-address"], got["hardware-type"]) == (MAC.address, int_value(1))
    assert (got["starts"], got["ends"], got["tstp"]) == (
        int_value(T0), int_value(T0 + 600), int_value(0))


def test_an_address_of_a_pool_with_no_record_is_a_free_lease(objects) -> None:
    ref = objects.lookup("lease", {"ip-address": bytes([10, 0, 0, 103])})
    assert ref == ObjectRef("lease", "10.0.0.103")
    values = named(objects.published(ref) or [])
    assert values["state"] == int_value(1)  # FTS_FREE
    assert "hardware-address" not in values and "dhcp-client-identifier" not in values


def test_the_failover_state_publishes_the_relationship(objects) -> None:
    ref = objects.lookup("failover-state", {"name": b"fo"})
    assert ref == ObjectRef("failover-state", "fo")
    values = objects.published(ref)
    assert values is not None
    got = named(values)
    assert list(got)[:8] == ["name", "partner-address", "partner-port", "local-address",
                             "local-port", "max-outstanding-updates", "mclt",
                             "load-balance-max-secs"]
    assert got["partner-address"] == bytes([10, 0, 0, 12])
    assert (got["partner-port"], got["local-port"]) == (int_value(847), int_value(647))
    assert (got["mclt"], got["max-response-delay"]) == (int_value(600), int_value(15))
    assert len(got["load-balance-hba"]) == 32
    assert got["local-state"] == int_value(ServerState.RECOVER)  # a first start
    assert got["hierarchy"] == int_value(0)  # primary
    assert objects.lookup("failover-state", {"name": b"nope"}) == NOT_FOUND
    assert objects.lookup("failover-state", {}) == NO_KEYS


def test_local_state_4_is_partner_down_and_other_states_are_refused(objects, server) -> None:
    ref = ObjectRef("failover-state", "fo")
    runner = server.runners["fo"]
    # dhcpctl sends every value it holds; dhcpd ignores the ones it only publishes.
    assert objects.update(ref, [("name", b"fo"), ("local-state", int_value(2))]) \
        == NOT_IMPLEMENTED
    assert runner.downs == 0
    assert objects.update(ref, [("name", b"fo"), ("local-state", int_value(4))]) == SUCCESS
    assert runner.downs == 1
    assert named(objects.published(ref) or [])["local-state"] == int_value(4)
    assert objects.update(ref, [("colour", b"red")]) == NOT_FOUND
    assert objects.update(ref, [("local-state", b"\x04")]) == INVALID_ARG


def test_the_control_object_shuts_the_server_down_on_state_2_only(objects, shutdowns) -> None:
    control = objects.lookup("control", {})
    assert isinstance(control, ObjectRef)
    assert named(objects.published(control) or [])["state"] == int_value(0)
    assert objects.update(control, [("state", int_value(1))]) == INVALID_ARG
    assert objects.update(control, [("other", int_value(2))]) == NOT_FOUND
    assert shutdowns == []
    assert objects.update(control, [("state", int_value(2))]) == SUCCESS
    assert shutdowns == ["shutdown"]


def test_hosts_need_their_directory(objects) -> None:
    assert objects.lookup("host", {"name": b"h1"}) == NOT_IMPLEMENTED
    assert objects.create("host", [("name", b"h1")]) == NOT_IMPLEMENTED


async def test_a_leases_end_is_set_and_durable_before_settle_returns(objects, server) -> None:
    lease = ObjectRef("lease", "10.0.0.200")
    assert objects.update(lease, [("ends", int_value(0))]) == SUCCESS
    [change] = server.staged
    assert change.event is Administered and change.lease.ends == 0
    assert change.cause == f"OMAPI: end changed from {T0 + 600} to 0"
    assert server.view.table.get("10.0.0.200").ends == 0  # the view has it at once
    assert server.durable == []
    await objects.settle()
    assert server.durable == [change]


def test_lease_attributes_dhcpd_refuses_or_ignores(objects, server) -> None:
    lease = ObjectRef("lease", "10.0.0.200")
    assert objects.update(lease, [("ip-address", bytes([10, 0, 0, 9]))]) == 6  # NOPERM
    assert objects.update(lease, [("subnet", int_value(1))]) == INVALID_ARG
    assert objects.update(lease, [("flags", b"\0")]) == NOT_IMPLEMENTED
    assert objects.update(lease, [("tstp", int_value(5))]) == INVALID_ARG  # would not read
    assert objects.update(lease, [("ends", b"\0")]) == INVALID_ARG
    assert objects.update(lease, [("client-hostname", b"x")]) == SUCCESS  # taken, unchanged
    assert objects.remove(lease) == NOT_IMPLEMENTED
    assert server.staged == []


async def test_setting_a_leases_state_moves_it_logs_dhcpds_line_and_is_durable(
    objects, server, caplog,
) -> None:
    lease = ObjectRef("lease", "10.0.0.200")
    with caplog.at_level(logging.INFO, logger="omapi-test"):
        assert objects.update(lease, [("state", int_value(1))]) == SUCCESS
    assert caplog.messages == ["lease 10.0.0.200 state changed from active to free"]
    [change] = server.staged
    assert change.event is Administered
    assert change.cause == "OMAPI: state changed from active to free"
    freed = server.view.table.get("10.0.0.200")
    assert freed.binding_state is BindingState.FREE and freed.client_hostname is None
    assert freed.hardware == MAC and freed.tstp == T0 + 600
    await objects.settle()
    assert server.durable == [change]


def test_setting_a_leases_state_to_the_one_it_has_changes_nothing(objects, server) -> None:
    assert objects.update(ObjectRef("lease", "10.0.0.200"), [("state", int_value(2))]) == SUCCESS
    assert server.staged == []


@pytest.mark.parametrize("value", [int_value(0), int_value(8), b"\0"])
def test_a_state_dhcpd_does_not_define_is_refused(objects, server, value: bytes) -> None:
    assert objects.update(ObjectRef("lease", "10.0.0.200"), [("state", value)]) == INVALID_ARG
    assert server.staged == []


def test_a_refused_value_after_a_state_changes_nothing(objects, server) -> None:
    values = [("state", int_value(1)), ("ip-address", bytes([10, 0, 0, 9]))]
    assert objects.update(ObjectRef("lease", "10.0.0.200"), values) == 6  # NOPERM
    assert server.staged == []
    assert server.view.table.get("10.0.0.200").binding_state is BindingState.ACTIVE


def test_a_state_set_in_a_failover_pool_follows_the_peer_rules(objects, server) -> None:
    # 10.0.0.100 has no record yet: dhcpd's free lease; its peer never answered.
    assert objects.update(ObjectRef("lease", "10.0.0.100"), [("state", int_value(7))]) == SUCCESS
    [change] = server.staged
    assert change.lease.binding_state is BindingState.BACKUP
    assert change.lease.next_binding_state is BindingState.BACKUP
    # Not responding steps the rewind state forward too (ISC `supersede_lease`).
    assert change.lease.rewind_binding_state is BindingState.BACKUP


async def test_any_other_name_sets_a_variable_of_the_lease(objects, server) -> None:
    lease = ObjectRef("lease", "10.0.0.200")
    assert objects.update(lease, [("Site-Note", b"alice"), ("rack", int_value(7))]) == SUCCESS
    assert objects.update(lease, [("site-note", b"bob")]) == SUCCESS  # found without case
    first, second = server.staged
    assert first.event is Administered and first.cause == (
        "OMAPI: variable Site-Note set; variable rack set")
    assert second.lease.bindings == (("Site-Note", b"bob"), ("rack", bytes([0, 0, 0, 7])))
    assert second.lease.binding_state is BindingState.ACTIVE
    await objects.settle()
    assert server.durable == [first, second]


@pytest.mark.parametrize("name", ["ends x", "a;b", "hardware", "uid", "123", ""])
def test_a_variable_whose_set_would_not_read_back_is_refused(objects, server, name) -> None:
    assert objects.update(ObjectRef("lease", "10.0.0.200"), [(name, b"x")]) == INVALID_ARG
    assert server.staged == []
