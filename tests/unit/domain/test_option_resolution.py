"""Resolving option statements that ran into the option state a reply uses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.config.expressions import Concat, ConfigOption, ConstData
from domain.config.option_settings import OptionSetting, combine_option_settings
from domain.config.statements import OptionStatement
from domain.eval_context import EvalContext
from domain.option_resolution import (
    OptionEntry,
    ResolvedOptions,
    concat_domain_lists,
    fold_settings,
)
from domain.options.dns_names import encode_list

DOMAIN_SEARCH = 119
HOST_NAME = 12
DOMAIN_NAME = 15


def _setting(op: str, value: bytes | None, compressed: bool = False) -> OptionSetting:
    return OptionSetting(
        op=op, space="dhcp", name="domain-search", code=DOMAIN_SEARCH, value=value,  # type: ignore[arg-type]
        text="x", compressed_list=compressed,
    )


def _statement(code: int, value: object, op: str = "supersede", fmt: str = "t") -> OptionStatement:
    return OptionStatement(
        op=op, universe="dhcp", name=f"o{code}", code=code, format=fmt,
        value=value, text="=",  # type: ignore[arg-type]
    )


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["supersede", "default", "append", "prepend", "send"]),
            st.one_of(st.none(), st.binary(max_size=3)),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_plain_options_fold_exactly_as_the_model_combines_them(
    sequence: list[tuple[str, bytes | None]],
) -> None:
    settings = [_setting(op, value) for op, value in sequence]
    expected = combine_option_settings(settings)[("dhcp", DOMAIN_SEARCH)]
    assert fold_settings(settings) == expected


def test_appending_to_a_compressed_list_recompresses_the_join() -> None:
    first = encode_list([b"a.com", b"b.a.com"], compress=True)
    second = encode_list([b"c.a.com"], compress=True)
    folded = fold_settings([
        _setting("supersede", first, compressed=True),
        _setting("append", second, compressed=True),
    ])
    assert folded.value == encode_list([b"a.com", b"b.a.com", b"c.a.com"], compress=True)
    assert folded.op == "supersede"


def test_prepending_puts_the_new_names_first() -> None:
    folded = fold_settings([
        _setting("supersede", encode_list([b"a.com"], compress=True), compressed=True),
        _setting("prepend", encode_list([b"z.org"], compress=True), compressed=True),
    ])
    assert folded.value == encode_list([b"z.org", b"a.com"], compress=True)


def test_supersede_and_default_on_compressed_lists_need_no_join() -> None:
    old = _setting("supersede", encode_list([b"a.com"], compress=True), compressed=True)
    new = _setting("supersede", encode_list([b"b.com"], compress=True), compressed=True)
    fallback = _setting("default", encode_list([b"c.com"], compress=True), compressed=True)
    assert fold_settings([old, new, fallback]) is new


def test_a_compressed_list_does_not_join_a_plain_value() -> None:
    old = _setting("supersede", encode_list([b"a.com"], compress=True), compressed=True)
    assert fold_settings([old, _setting("append", b"\x01x\x00")]) is old


def test_concatenating_domain_lists() -> None:
    assert concat_domain_lists(b"", b"") == b"\0"
    assert concat_domain_lists(b"\0", encode_list([b"x.org"], True)) == encode_list(
        [b"x.org"], True
    )
    # A pointer past the end is not a list dhcpd can decompress.
    assert concat_domain_lists(b"\x01a\xc0\x40", b"") is None
    # Labels are printed with dhcpd's escapes and read back unchanged.
    odd = encode_list([b"a\\.b.example"], True)
    assert concat_domain_lists(odd, b"") == odd


def test_resolved_options_are_computed_when_read_with_the_latest_context() -> None:
    entries: dict[tuple[str, int], list[OptionEntry]] = {}
    resolved = ResolvedOptions(entries, EvalContext)
    host_name = ConfigOption("dhcp", "host-name", HOST_NAME)
    domain = _statement(DOMAIN_NAME, Concat(ConstData(b"d-"), host_name))
    entries[("dhcp", DOMAIN_NAME)] = [OptionEntry(domain)]
    assert resolved[("dhcp", DOMAIN_NAME)] is None
    entries[("dhcp", HOST_NAME)] = [OptionEntry(_statement(HOST_NAME, ConstData(b"late")))]
    ctx = EvalContext(config_options=resolved)
    late = ResolvedOptions(entries, lambda: ctx)
    assert late[("dhcp", DOMAIN_NAME)] == b"d-late"
    assert set(late) == {("dhcp", DOMAIN_NAME), ("dhcp", HOST_NAME)}
    assert len(late) == 2
    assert late.get(("dhcp", 3)) is None


def test_an_option_defined_by_itself_has_no_value() -> None:
    entries: dict[tuple[str, int], list[OptionEntry]] = {}
    holder: list[EvalContext] = []
    resolved = ResolvedOptions(entries, lambda: holder[0])
    holder.append(EvalContext(config_options=resolved))
    loop = _statement(HOST_NAME, Concat(ConstData(b"x"), ConfigOption("dhcp", "host-name", 12)))
    entries[("dhcp", HOST_NAME)] = [OptionEntry(loop)]
    assert resolved[("dhcp", HOST_NAME)] is None


def test_prebuilt_settings_are_used_as_they_are() -> None:
    prebuilt = _setting("supersede", b"\x03abc\x00")
    entry = OptionEntry(_statement(DOMAIN_SEARCH, ConstData(b"\x03abc\x00")), prebuilt)
    assert entry.setting(EvalContext()) is prebuilt
    assert entry.key == ("dhcp", DOMAIN_SEARCH)


def test_frozen_resolution_remembers_each_option() -> None:
    entries = {("dhcp", HOST_NAME): [OptionEntry(_statement(HOST_NAME, ConstData(b"h")))]}
    resolved = ResolvedOptions(entries, EvalContext)
    resolved.freeze()
    first = resolved.setting(("dhcp", HOST_NAME))
    assert first is not None and first.value == b"h"
    assert resolved.setting(("dhcp", HOST_NAME)) is first
    assert resolved.setting(("dhcp", 1)) is None
