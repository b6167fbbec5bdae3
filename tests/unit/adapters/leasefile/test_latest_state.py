"""A startup's state from the newest events: packed records from the saved index where
it has them, the others parsed; and the records an index saves."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.leasefile.event_index import EventIndex
from adapters.leasefile.latest_state import (
    load_latest_state,
    packed_as_written,
    packed_records,
    read_record,
)
from adapters.leasefile.saved_index import SavedIndex
from adapters.leasefile.writer import format_failover_state, format_lease
from domain.lease import (
    NEVER,
    BindingState,
    FailoverState,
    FailoverStateRecord,
    Hardware,
    Lease,
)
from projections.addresses import ip_number
from projections.packed_lease import pack

PATH = Path("dhcpd.leases")
ACTIVE = Lease("10.0.0.1", ends=900, binding_state=BindingState.ACTIVE,
               hardware=Hardware(1, b"\x02\0\0\0\0\x01"), client_hostname="one")
FREE = Lease("10.0.0.2", ends=800, binding_state=BindingState.FREE)
RARE = Lease("10.0.0.3", binding_state=BindingState.ACTIVE, bindings=(("x", 5),))
STATE = FailoverStateRecord(peer="fo", my_state=FailoverState.NORMAL, my_time=5,
                            partner_state=FailoverState.NORMAL, partner_time=5)
TEXTS = {
    0: b"# a note\n" + format_lease(ACTIVE).encode(),
    1: format_lease(FREE).encode(),
    2: format_failover_state(STATE).encode(),
    3: format_lease(RARE).encode(),
}


def index() -> EventIndex:
    built = EventIndex()
    built.append("10.0.0.1", 3, "lease.Acked", 0, 1)
    built.append("10.0.0.2", 1, "lease.Freed", 1, 1)
    built.append("failover:fo", 2, "failover.StateChanged", 2, 1)
    built.append("10.0.0.3", 1, "lease.Acked", 3, 1)
    built.append("other", 1, "elsewhere.Topic", 4, 1)
    return built


def read_state(event: int) -> bytes:
    return TEXTS[event]


def test_without_a_saved_index_every_record_is_parsed() -> None:
    state = load_latest_state(index().latest(), None, read_state, PATH)
    assert state.leases == [(ip_number("10.0.0.1"), pack(ACTIVE)),
                            (ip_number("10.0.0.2"), pack(FREE)),
                            (ip_number("10.0.0.3"), RARE)]
    assert state.failover_states == {"fo": STATE}
    assert dict(state.versions) == {"10.0.0.1": 3, "10.0.0.2": 1, "10.0.0.3": 1,
                                    "failover:fo": 2}


def test_the_records_saved_need_no_reading_and_no_others_are_taken() -> None:
    columns = index().columns()
    records, ends, addresses = packed_records(columns, read_state, PATH, {})
    assert list(ends) == [len(pack(ACTIVE)), len(pack(ACTIVE)) + len(pack(FREE))] + [
        len(pack(ACTIVE)) + len(pack(FREE))] * 3  # no packed form: a peer, a rare lease
    saved = SavedIndex(10, 0, columns, [], records, ends, addresses)

    def only_the_rare_one(event: int) -> bytes:
        assert event in (2, 3), f"event {event} is in the saved index"
        return TEXTS[event]

    state = load_latest_state(index().latest(), saved, only_the_rare_one, PATH)
    assert state == load_latest_state(index().latest(), None, read_state, PATH)


def test_an_event_newer_than_the_saved_one_is_read() -> None:
    columns = index().columns()
    saved = SavedIndex(10, 0, columns, [], *packed_records(columns, read_state, PATH, {}))
    newer = index()
    newer.append("10.0.0.1", 4, "lease.Freed", 5, 1)
    texts = {**TEXTS, 5: format_lease(Lease("10.0.0.1", ends=1000)).encode()}
    state = load_latest_state(newer.latest(), saved, texts.__getitem__, PATH)
    assert (ip_number("10.0.0.1"), pack(Lease("10.0.0.1", ends=1000))) in state.leases
    assert state.versions["10.0.0.1"] == 4


def test_known_records_are_not_parsed_again() -> None:
    columns = index().columns()
    known = {0: (ip_number("10.0.0.1"), b"known")}
    records = packed_records(columns, read_state, PATH, known)[0]
    assert records.startswith(b"known" + pack(FREE))


def test_a_lease_found_under_another_address_text_is_not_saved() -> None:
    odd = EventIndex()
    odd.append("010.0.0.1", 1, "lease.Acked", 0, 1)
    records, ends, addresses = packed_records(odd.columns(), read_state, PATH, {})
    assert (records, list(ends), list(addresses)) == (b"", [0], [0])


_USUAL_TIMES = st.one_of(st.none(), st.integers(1, 2145916799))
_EDGE_TIMES = st.one_of(_USUAL_TIMES, _USUAL_TIMES, _USUAL_TIMES,
                        st.sampled_from([0, -5, 1, NEVER, 2145916799, 2145916800, 2**31]))
_HOSTNAMES = st.one_of(st.none(), st.from_regex(r"[a-z0-9.-]{1,8}", fullmatch=True),
                       st.text(st.characters(min_codepoint=0, max_codepoint=0xFF), max_size=8))


@st.composite
def written_leases(draw: st.DrawFn) -> Lease:
    """Leases as the daemon may write them, lossy corners included."""
    state = draw(st.one_of(st.none(), st.sampled_from(BindingState)))
    return Lease(
        ip=draw(st.sampled_from(["10.0.0.1", "10.0.0.01", "192.168.7.200"])),
        starts=draw(_EDGE_TIMES), ends=draw(_EDGE_TIMES), tstp=draw(_EDGE_TIMES),
        tsfp=draw(_EDGE_TIMES), atsfp=draw(_EDGE_TIMES), cltt=draw(_EDGE_TIMES),
        binding_state=state,
        next_binding_state=draw(st.one_of(st.none(), st.sampled_from(BindingState))),
        rewind_binding_state=draw(st.one_of(st.none(), st.sampled_from(BindingState))),
        reserved=draw(st.booleans()), dynamic_bootp=draw(st.booleans()),
        hardware=draw(st.one_of(st.none(), st.builds(Hardware, st.integers(0, 255),
                                                     st.binary(max_size=24)))),
        uid=draw(st.one_of(st.none(), st.binary(min_size=1, max_size=8), st.just(b""))),
        client_hostname=draw(_HOSTNAMES),
        bindings=draw(st.sampled_from([(), (), (), (("x", 5),)])),
    )


@settings(max_examples=600, deadline=None)
@given(written_leases())
def test_a_lease_packed_as_written_is_what_reading_its_record_back_gives(lease: Lease) -> None:
    packed = packed_as_written(lease)
    if packed is not None:
        text = b"#@ 2026-01-01T00:00:00+00:00 acked\n" + format_lease(lease).encode("latin-1")
        assert packed == pack(read_record(text, PATH))


def test_the_usual_lease_is_packed_and_a_lossy_one_is_left_to_the_reading() -> None:
    assert packed_as_written(ACTIVE) == pack(ACTIVE)
    assert packed_as_written(FREE) == pack(FREE)
    rewound = ACTIVE.replace(next_binding_state=BindingState.ACTIVE,
                      rewind_binding_state=BindingState.ACTIVE)
    assert packed_as_written(rewound) == pack(ACTIVE)  # as the record reads back
    for lossy in (ACTIVE.replace(starts=0), ACTIVE.replace(uid=b""),
                  ACTIVE.replace(hardware=Hardware(1, bytes(21))),
                  ACTIVE.replace(client_hostname='a"b'), ACTIVE.replace(ends=2145916800),
                  ACTIVE.replace(ip="10.0.0.01"), RARE):
        assert packed_as_written(lossy) is None, lossy
