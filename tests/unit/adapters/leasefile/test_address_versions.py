"""The daemon's version map: addresses by number, any other id as it is."""

from __future__ import annotations

import pytest

from adapters.leasefile.address_versions import AddressVersions, address_number


def test_addresses_and_other_ids_are_kept_apart_and_found_by_text() -> None:
    by_number = {167772161: 4}
    versions = AddressVersions(by_number)
    versions["10.0.0.2"] = 1
    versions["failover:fo"] = 7
    assert versions.get("10.0.0.1") == 4 and versions["10.0.0.2"] == 1
    assert versions["failover:fo"] == 7
    assert versions.get("10.0.0.3", 0) == 0
    assert by_number == {167772161: 4, 167772162: 1}
    assert dict(versions) == {"10.0.0.1": 4, "10.0.0.2": 1, "failover:fo": 7}
    del versions["10.0.0.1"]
    del versions["failover:fo"]
    assert len(versions) == 1
    with pytest.raises(KeyError):
        versions["failover:fo"]


@pytest.mark.parametrize("text", ["010.0.0.1", "10.1", "1", "10.0.0.256", "a\0b", "fo", ""])
def test_only_a_dotted_quad_as_the_file_writes_it_is_an_address(text: str) -> None:
    assert address_number(text) is None
    versions = AddressVersions()
    versions[text] = 3
    assert versions[text] == 3 and list(versions) == [text]


def test_get_answers_a_missing_id_with_the_default_without_raising() -> None:
    versions = AddressVersions({167772161: 4})
    assert versions.get("10.0.0.9") is None and versions.get("failover:fo") is None
    assert versions.get("10.0.0.9", 2) == 2 and versions.get("failover:fo", 5) == 5
    assert versions.get("10.0.0.1", 9) == 4
    assert "10.0.0.1" in versions and "10.0.0.9" not in versions


def test_a_dotted_quad_is_its_number() -> None:
    assert address_number("10.0.1.0") == (10 << 24) + 256
