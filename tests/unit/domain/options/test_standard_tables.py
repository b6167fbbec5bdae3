"""Sanity of the raw tables: no duplicate codes within a space, formats well formed."""

import re

import pytest

from domain.options import standard_tables as tables

_TABLES = {
    name: getattr(tables, name) for name in dir(tables) if name.endswith("_OPTIONS")
}
_FORMAT = re.compile(r"^([IlLsSbBtTfXdDcZUk6oAa]|E[^.]*\.|N[^.]+\.)*$")


@pytest.mark.parametrize("table", sorted(_TABLES))
def test_codes_are_unique_within_a_table(table):
    codes = [code for _, code, _ in _TABLES[table]]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("table", sorted(_TABLES))
def test_formats_use_only_isc_letters(table):
    for name, _, fmt in _TABLES[table]:
        assert _FORMAT.match(fmt), (name, fmt)


def test_sizes_match_the_debian_build():
    assert len(tables.DHCP_OPTIONS) == 119
    assert len(tables.DHCP6_OPTIONS) == 64
    assert len(tables.SERVER_OPTIONS) == 80
    assert len(tables.AGENT_OPTIONS) == 6
