"""Which scopes dhcpd runs for a reply, and in which order (execute.c, dhcp.c)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.config.expressions import ConstData, HostDeclName, Known
from domain.config.scopes import (
    Scope,
    reply_scope_order,
    scope_chain,
    scopes_to_run,
)
from domain.config.statements import DbTimeFormatStatement, IfStatement, OptionStatement

# global(0) -> shared-network(1) -> subnet(2); pool(3) under the shared network;
# a group(4) under global holding host(5); class(6) and its subclass(7).
SCOPES = (
    Scope(id=0, kind="global", parent=None),
    Scope(id=1, kind="shared-network", parent=0),
    Scope(id=2, kind="subnet", parent=1),
    Scope(id=3, kind="pool", parent=1),
    Scope(id=4, kind="group", parent=0),
    Scope(id=5, kind="host", parent=4),
    Scope(id=6, kind="class", parent=0),
    Scope(id=7, kind="class", parent=6),
    Scope(id=8, kind="host", parent=1),
)


def test_a_chain_runs_from_the_global_scope_inwards() -> None:
    assert scope_chain(SCOPES, 2) == [0, 1, 2]
    assert scope_chain(SCOPES, 0) == [0]


def test_the_walk_stops_at_the_limiting_scope_and_its_ancestors() -> None:
    assert scopes_to_run(SCOPES, 3, limit=1) == [3]
    assert scopes_to_run(SCOPES, 5, limit=3) == [4, 5]
    assert scopes_to_run(SCOPES, 5, limit=None) == [0, 4, 5]


def test_a_host_in_the_shared_network_skips_what_the_subnet_ran() -> None:
    # The case in execute_statements_in_scope's comment: a host declared in a
    # shared-network, limited by the subnet, must not rerun the shared network.
    assert scopes_to_run(SCOPES, 8, limit=2) == [8]


def test_reply_order_is_subnet_pool_classes_reversed_then_host() -> None:
    # The client matched class 6 first, then subclass 7: 7 runs first (with its
    # superclass 6 before it), then 6 again, so the first-matched class wins.
    order = reply_scope_order(
        SCOPES, subnet=2, pool=3, pool_network=1, classes=[6, 7], host=5
    )
    assert order == [0, 1, 2, 3, 6, 7, 6, 4, 5]


def test_without_a_pool_classes_and_host_stop_at_the_subnet() -> None:
    assert reply_scope_order(SCOPES, subnet=2, host=8) == [0, 1, 2, 8]


def test_with_nothing_given_only_the_global_scope_runs() -> None:
    assert reply_scope_order(SCOPES) == [0]


def test_runtime_statements_are_those_only_a_request_can_settle() -> None:
    constant = OptionStatement(op="supersede", universe="dhcp", name="routers", code=3,
                               format="IA", value=ConstData(b"\n\x00\x00\x01"),
                               text="10.0.0.1")
    computed = OptionStatement(op="supersede", universe="dhcp", name="host-name", code=12,
                               format="t", value=HostDeclName(), text="host-decl-name")
    condition = IfStatement(condition=Known(), then=(constant,))
    scope = Scope(id=0, kind="global", parent=None,
                  statements=(constant, DbTimeFormatStatement(local=True), computed, condition))
    assert scope.runtime_statements == (computed, condition)
    assert Scope(id=0, kind="global", parent=None, statements=(constant,)).runtime_statements == ()


def test_only_parsed_statements_are_accepted() -> None:
    with pytest.raises(ValidationError):
        Scope(id=0, kind="global", parent=None, statements=("option routers 10.0.0.1;",))
