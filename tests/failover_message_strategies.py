"""Hypothesis strategies for failover messages: every type, any option values that fit
their wire sizes, or the option absent.  Shared by the wire codec's and the failover
session's property tests."""

from __future__ import annotations

import typing
from ipaddress import IPv4Address

from hypothesis import strategies as st

from domain.failover_messages import (
    MESSAGE_CLASSES,
    OPTION_FIELDS,
    OPTION_KINDS,
    FailoverMessage,
    MessageHeader,
    OptionKind,
)

u32 = st.integers(0, 2**32 - 1)
VALUES: dict[OptionKind, st.SearchStrategy[typing.Any]] = {
    OptionKind.U8: st.integers(0, 255),
    OptionKind.U16: st.integers(0, 2**16 - 1),
    OptionKind.U32: u32,
    OptionKind.IP: st.builds(IPv4Address, u32),
    OptionKind.BYTES: st.binary(max_size=64),
    OptionKind.DDNS: st.just(True),
}


def option_values(
    kind: OptionKind, values: typing.Mapping[OptionKind, st.SearchStrategy[typing.Any]] = VALUES
) -> st.SearchStrategy[typing.Any]:
    """A present value or an absent option (DDNS is present or not, never valued)."""
    if kind is OptionKind.DDNS:
        return st.booleans()
    return st.one_of(st.none(), values[kind])


def message_strategy(
    cls: type[MessageHeader],
    values: typing.Mapping[OptionKind, st.SearchStrategy[typing.Any]] = VALUES,
) -> st.SearchStrategy[FailoverMessage]:
    options = {
        name: option_values(OPTION_KINDS[code], values)
        for code, name in OPTION_FIELDS[cls.message_type].items()
    }
    return st.builds(cls, time=u32, xid=u32, **options)  # type: ignore[return-value]


def messages_naming(addresses: typing.Sequence[str]) -> st.SearchStrategy[FailoverMessage]:
    """Messages of every type whose address options name one of `addresses` half the
    time (random ones seldom hit a server's pool, where the interesting code is)."""
    values = {**VALUES, OptionKind.IP: st.one_of(
        st.sampled_from([IPv4Address(address) for address in addresses]), VALUES[OptionKind.IP])}
    return st.one_of([message_strategy(cls, values) for cls in MESSAGE_CLASSES.values()])


messages = st.one_of([message_strategy(cls) for cls in MESSAGE_CLASSES.values()])
