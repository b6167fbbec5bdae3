"""The store's in-memory index: versions in order, selections like the library's."""

from __future__ import annotations

from uuid import uuid4

import pytest

from adapters.leasefile.event_index import EventIndex, IndexEntry


def filled() -> EventIndex:
    index = EventIndex()
    index.append("10.0.0.1", 1, "lease.Imported", 0, 10)
    index.append("10.0.0.2", 1, "lease.Acked", 10, 20)
    index.append("10.0.0.1", 2, "lease.Acked", 30, 20)
    index.append("10.0.0.1", 3, "lease.Released", 50, 20)
    return index


def test_entries_are_numbered_in_append_order() -> None:
    index = filled()
    assert len(index) == 4
    assert index.entry(2) == IndexEntry("10.0.0.1", 2, "lease.Acked", 30, 20)


def test_events_of_filters_like_select_events() -> None:
    index = filled()
    assert index.events_of("10.0.0.1") == [0, 2, 3]
    assert index.events_of("10.0.0.1", gt=1) == [2, 3]
    assert index.events_of("10.0.0.1", lte=2) == [0, 2]
    assert index.events_of("10.0.0.1", desc=True, limit=1) == [3]
    assert index.events_of("10.0.0.1", gt=1, lte=2, desc=True) == [2]
    assert index.events_of("10.9.9.9") == []


def test_a_taken_version_is_refused() -> None:
    index = filled()
    assert not index.append("10.0.0.1", 2, "lease.Acked", 70, 20)
    assert index.append("10.0.0.1", 4, "lease.Acked", 70, 20)
    assert len(index) == 5


def test_truncate_forgets_the_newest_events() -> None:
    index = filled()
    index.truncate(2)
    assert len(index) == 2
    assert index.events_of("10.0.0.1") == [0]
    assert index.last_version("10.0.0.1") == 1
    assert index.append("10.0.0.1", 2, "lease.Acked", 30, 20)
    assert index.events_of("10.0.0.1") == [0, 2]


def test_versions_out_of_order_are_kept_in_version_order() -> None:
    index = EventIndex()
    index.append("a", 5, "t", 0, 1)
    index.append("a", 2, "t", 1, 1)
    index.append("a", 9, "t", 2, 1)
    assert index.events_of("a") == [1, 0, 2]
    assert index.events_of("a", gt=2, desc=True) == [2, 0]


def test_has_version_and_last_version() -> None:
    index = filled()
    assert index.has_version("10.0.0.1", 1)
    assert index.has_version("10.0.0.1", 2)
    assert not index.has_version("10.0.0.1", 4)
    assert not index.has_version("10.0.0.3", 1)
    assert index.last_version("10.0.0.1") == 3
    assert index.last_version("10.0.0.3") is None


def test_uuid_ids_are_found_by_value_and_returned_as_uuids() -> None:
    index = EventIndex()
    originator = uuid4()
    index.append(originator, 1, "t", 0, 1)
    assert index.events_of(originator) == [0]
    assert index.entry(0).originator_id is originator


def test_latest_events_are_the_last_of_each_aggregate_in_file_order() -> None:
    assert filled().latest_events() == [1, 3]


def test_topic_numbers_only_name_topics_present() -> None:
    index = filled()
    wanted = index.topic_numbers(["lease.Acked", "lease.Nothing"])
    assert [e for e in range(len(index)) if index.topic_number_of(e) in wanted] == [1, 2]


def test_a_value_beyond_a_narrow_column_widens_it_and_keeps_every_row() -> None:
    index = filled()
    uuid = uuid4()
    assert index.append("10.0.0.2", -5, "lease.Acked", 2**40, 70_000)
    assert index.append(uuid, 2**40, "lease.Acked", 7, 1)
    assert index.append("10.0.0.2", 2**62, "lease.Released", 2**62, 2**33)
    assert index.entry(2) == IndexEntry("10.0.0.1", 2, "lease.Acked", 30, 20)
    assert index.entry(4) == IndexEntry("10.0.0.2", -5, "lease.Acked", 2**40, 70_000)
    assert index.entry(5) == IndexEntry(uuid, 2**40, "lease.Acked", 7, 1)
    assert index.entry(6) == IndexEntry("10.0.0.2", 2**62, "lease.Released", 2**62, 2**33)
    assert index.events_of("10.0.0.2") == [4, 1, 6]
    assert index.last_version("10.0.0.2") == 2**62
    assert not index.append("10.0.0.2", -5, "lease.Acked", 0, 1)


def test_more_topics_than_a_byte_numbers_widen_the_topic_column() -> None:
    index = EventIndex()
    for number in range(300):
        assert index.append(f"10.0.{number // 256}.{number % 256}", 1, f"t{number}", number, 1)
    assert index.entry(299).topic == "t299"
    assert index.entry(3).topic == "t3"
    assert index.topic_numbers(["t299", "t0"]) == {299, 0}


def test_truncating_after_a_widening_restores_each_aggregates_last_event() -> None:
    index = filled()
    index.append("10.0.0.1", 70_000, "lease.Acked", 90, 20)
    index.truncate(4)
    assert index.last_version("10.0.0.1") == 3
    assert index.append("10.0.0.1", 4, "lease.Acked", 90, 20)
    assert index.events_of("10.0.0.1") == [0, 2, 3, 4]


def test_forgetting_history_keeps_the_newest_of_each_and_the_numbering() -> None:
    index = filled()
    index.forget_history()
    assert len(index) == 4
    assert index.latest_events() == [1, 3]
    assert index.entry(3) == IndexEntry("10.0.0.1", 3, "lease.Released", 50, 20)
    assert index.events_of("10.0.0.1") == [3]
    assert index.numbers_between(0, 3) == [1, 3]
    assert index.latest() == [(1, "10.0.0.2", 1, "lease.Acked"),
                              (3, "10.0.0.1", 3, "lease.Released")]


def test_without_history_only_a_newer_version_is_taken_as_new() -> None:
    index = filled()
    index.forget_history()
    assert index.has_version("10.0.0.1", 2) and index.has_version("10.0.0.1", 3)
    assert not index.has_version("10.0.0.1", 4)
    assert not index.append("10.0.0.1", 1, "lease.Acked", 70, 20)
    assert index.append("10.0.0.1", 4, "lease.Acked", 70, 20)
    assert index.append("10.0.0.3", 1, "lease.Acked", 90, 20)
    assert len(index) == 6
    assert index.events_of("10.0.0.1") == [3, 4]
    assert index.latest_events() == [1, 4, 5]


def test_truncating_without_history_forgets_later_events_only() -> None:
    index = filled()
    index.forget_history()
    index.append("10.0.0.1", 4, "lease.Acked", 70, 20)
    index.append("10.0.0.3", 1, "lease.Acked", 90, 20)
    index.truncate(5)
    assert len(index) == 5
    assert index.last_version("10.0.0.1") == 4
    assert index.last_version("10.0.0.3") is None
    index.truncate(4)
    assert index.last_version("10.0.0.1") == 3
    assert index.append("10.0.0.3", 1, "lease.Acked", 70, 20)
    assert index.latest_events() == [1, 3, 4]


def test_an_event_no_longer_held_is_not_made_up() -> None:
    index = filled()
    index.forget_history()
    with pytest.raises(IndexError):
        index.entry(2)


def test_columns_give_back_the_same_index_and_stay_as_they_were() -> None:
    index = filled()
    columns = index.columns()
    restored = EventIndex.from_columns(columns)
    assert len(restored) == 4
    assert restored.latest() == index.latest()
    assert restored.last_version("10.0.0.1") == 3
    assert restored.append("10.0.0.1", 4, "lease.Acked", 70, 20)
    assert list(columns.numbers) == [1, 3] and columns.count == 4
    assert restored.latest_events() == [1, 4]


def test_only_str_ids_are_turned_into_columns() -> None:
    index = EventIndex()
    index.append(uuid4(), 1, "t", 0, 1)
    with pytest.raises(TypeError):
        index.columns()


def test_columns_naming_an_aggregate_twice_are_refused() -> None:
    columns = filled().columns()
    with pytest.raises(ValueError, match="two rows"):
        EventIndex.from_columns(columns._replace(originator_ids=["a", "a"]))


def test_columns_with_addresses_give_the_same_index_kept_by_address() -> None:
    index = filled()
    columns = index.columns()
    restored = EventIndex.from_columns(columns, [(10 << 24) + 2, (10 << 24) + 1])
    assert restored.latest() == index.latest()
    assert restored.last_version("10.0.0.1") == 3 and restored.has_version("10.0.0.2", 1)
    assert restored.append("10.0.0.9", 1, "lease.Acked", 90, 20)
    assert restored.entry(4) == IndexEntry("10.0.0.9", 1, "lease.Acked", 90, 20)
