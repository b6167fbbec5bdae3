"""Packing a lease record for the table is exact, and small where it counts."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from domain.lease import AgentOption, BillingClass, BindingState, Hardware, Lease
from projections.packed_lease import binding_state_of, hardware_key, pack, summary, unpack

_times = st.none() | st.integers(min_value=-(2**32), max_value=2**32)
_octets = st.binary(max_size=300)
_states = st.none() | st.sampled_from(BindingState)

leases = st.builds(
    Lease,
    ip=st.just("10.0.0.1"),
    starts=_times, ends=_times, tstp=_times, tsfp=_times, atsfp=_times, cltt=_times,
    binding_state=_states, next_binding_state=_states, rewind_binding_state=_states,
    reserved=st.booleans(), dynamic_bootp=st.booleans(),
    billing=st.none() | st.builds(BillingClass, st.text(max_size=5)),
    hardware=st.none() | st.builds(Hardware, st.integers(-1, 300), _octets),
    uid=st.none() | _octets,
    bindings=st.just(()) | st.just((("x", 1),)),
    agent_options=st.just(()) | st.just((AgentOption("circuit-id", b"a"),)),
    client_hostname=st.none() | st.text(max_size=20),
    on_expiry=st.none() | st.just("log(info, \"x\");"),
    on_release=st.none() | st.just("log(info, \"y\");"),
    on_expiry_or_release=st.booleans(),
)


@given(leases)
def test_every_lease_comes_back_exactly(lease: Lease) -> None:
    assert unpack(lease.ip, pack(lease)) == lease


def test_a_common_lease_packs_into_about_ninety_bytes() -> None:
    mac = bytes.fromhex("0004acd65896")
    lease = Lease(
        "10.0.0.111", starts=1795801470, ends=1795805070, tstp=1795803270, cltt=1795801470,
        binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
        hardware=Hardware(1, mac), uid=b"\x01" + mac, client_hostname="laptop-17",
    )
    packed = pack(lease)
    assert isinstance(packed, bytes)
    assert sys.getsizeof(packed) < 100
    assert unpack("10.0.0.111", packed) == lease


@given(leases)
def test_the_summary_is_what_the_lease_says(lease: Lease) -> None:
    packed = pack(lease)
    assert summary(packed) == (lease.binding_state, lease.ends, lease.uid,
                               hardware_key(lease.hardware))
    assert binding_state_of(packed) is lease.binding_state


def test_a_hardware_key_is_the_type_octet_and_address() -> None:
    assert hardware_key(Hardware(1, b"\x02\x03")) == b"\x01\x02\x03"
    assert hardware_key(Hardware(1, b"")) is None
    assert hardware_key(None) is None
    assert hardware_key(Hardware(300, b"\x02")) == (300, b"\x02")
