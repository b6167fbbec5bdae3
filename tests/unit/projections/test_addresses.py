"""Address numbers agree with the standard library's, both ways."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.addresses import ip_number, ip_text


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_numbers_and_dotted_quads_agree_with_ipaddress(number: int) -> None:
    text = str(ipaddress.IPv4Address(number))
    assert ip_number(text) == number
    assert ip_text(number) == text


def test_addresses_sort_by_number_not_by_text() -> None:
    assert sorted(["10.0.0.10", "10.0.0.9"], key=ip_number) == ["10.0.0.9", "10.0.0.10"]


def test_a_remembered_number_is_the_same_and_a_bad_address_is_never_remembered() -> None:
    assert ip_number("10.2.0.1") == ip_number("10.2.0.1") == (10 << 24) + (2 << 16) + 1
    for _ in range(2):
        with pytest.raises(OSError):
            ip_number("10.2.0.x")
