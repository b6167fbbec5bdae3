"""ParseContext: per-read state, and the declared-address intervals behind
"lease X is declared twice!"."""

from __future__ import annotations

from adapters.dhcpdconf.context import DeclaredAddresses, ParseContext, stores_statements
from adapters.dhcpdconf.tree import Group
from domain.config.statements import BreakStatement, DbTimeFormatStatement


def test_overlap_lists_each_address_already_declared() -> None:
    declared = DeclaredAddresses()
    declared.add(10, 20)
    declared.add(30, 40)
    assert declared.overlap(15, 32) == [15, 16, 17, 18, 19, 20, 30, 31, 32]
    assert declared.overlap(21, 29) == []
    assert declared.overlap(0, 9) == []


def test_adding_merges_touching_and_overlapping_intervals() -> None:
    declared = DeclaredAddresses()
    declared.add(30, 40)
    declared.add(10, 20)
    declared.add(21, 29)
    assert (declared.starts, declared.ends) == ([10], [40])
    declared.add(5, 50)
    assert (declared.starts, declared.ends) == ([5], [50])
    declared.add(60, 60)
    assert declared.overlap(0, 100) == [*range(5, 51), 60]


def test_a_huge_range_costs_one_interval() -> None:
    declared = DeclaredAddresses()
    declared.add(0x0A000000, 0x0AFFFFFF)
    assert declared.overlap(0x0AFFFFFE, 0x0B000001) == [0x0AFFFFFE, 0x0AFFFFFF]
    assert len(declared.starts) == 1


def test_each_read_starts_fresh() -> None:
    first, second = ParseContext.new(), ParseContext.new()
    first.declared.add(1, 2)
    first.host_warning_due = False
    assert second.declared.overlap(0, 5) == []
    assert second.host_warning_due
    assert first.tree.root.kind == "global"
    assert first.options is not second.options


def test_stores_statements_ignores_what_dhcpd_does_not_store() -> None:
    group = Group(kind="pool", parent=None)
    assert not stores_statements(group)
    group.statements.append(DbTimeFormatStatement(local=True))
    assert not stores_statements(group)
    group.statements.append(BreakStatement())
    assert stores_statements(group)
