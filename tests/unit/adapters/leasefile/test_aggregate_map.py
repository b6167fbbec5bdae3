"""The index's map from aggregate id to number: plain, and compact for addresses."""

from __future__ import annotations

from uuid import uuid4

import pytest

from adapters.leasefile.aggregate_map import AddressAggregateMap, AggregateMap

A1, A2 = (10 << 24) + 1, (10 << 24) + 2  # 10.0.0.1, 10.0.0.2


def test_the_plain_map_numbers_in_order_and_keeps_ids_as_given() -> None:
    aggregates = AggregateMap()
    uuid = uuid4()
    assert aggregates.add("10.0.0.1", "10.0.0.1") == 0
    assert aggregates.add(str(uuid), uuid) == 1
    assert aggregates.number(str(uuid)) == 1 and aggregates.id_of(1) is uuid
    assert aggregates.number("10.0.0.2") is None and len(aggregates) == 2


def test_restored_addresses_are_found_by_text_and_give_it_back() -> None:
    ids = ["10.0.0.2", "failover:fo", "10.0.0.1", "10.0.0.3"]
    aggregates = AddressAggregateMap(ids, [A2, 0, A1, 0])  # 10.0.0.3: kept by its id
    assert [aggregates.number(i) for i in ids] == [0, 1, 2, 3]
    assert [aggregates.id_of(n) for n in range(4)] == ids
    assert aggregates.number("10.0.0.4") is None
    assert aggregates.number("010.0.0.1") is None and aggregates.number("nothing") is None
    assert aggregates.add("10.0.0.4", "10.0.0.4") == 4
    assert aggregates.number("10.0.0.4") == 4 and aggregates.id_of(4) == "10.0.0.4"
    assert len(aggregates) == 5


@pytest.mark.parametrize(("ids", "addresses"), [
    (["10.0.0.1", "10.0.0.1"], [A1, A1]),
    (["x", "x"], [0, 0]),
    (["10.0.0.1"], [A1, A2]),
])
def test_a_restored_map_that_does_not_hold_together_is_refused(
    ids: list[str], addresses: list[int]
) -> None:
    with pytest.raises(ValueError):
        AddressAggregateMap(ids, addresses)
