"""How option statements of several scopes combine (ISC set_option)."""

from __future__ import annotations

from domain.config.option_settings import OptionSetting, combine_option_settings


def setting(
    op: str, value: bytes | None, text: str, code: int = 6, compressed: bool = False
) -> OptionSetting:
    return OptionSetting(
        op=op, space="dhcp", name=f"option-{code}", code=code, value=value, text=text,
        compressed_list=compressed,
    )


DNS_A = setting("supersede", bytes([10, 0, 0, 251]), "10.0.0.251")
DNS_B = setting("supersede", bytes([10, 0, 0, 254]), "10.0.0.254")


def test_a_later_supersede_replaces_the_earlier_value() -> None:
    state = combine_option_settings([DNS_A, DNS_B])
    assert state[("dhcp", 6)] == DNS_B


def test_default_only_fills_a_gap() -> None:
    fallback = setting("default", bytes([10, 0, 0, 9]), "10.0.0.9")
    assert combine_option_settings([DNS_A, fallback])[("dhcp", 6)] == DNS_A
    assert combine_option_settings([fallback])[("dhcp", 6)] == fallback


def test_append_and_prepend_join_the_payloads() -> None:
    extra = setting("append", bytes([10, 0, 0, 9]), "10.0.0.9")
    first = setting("prepend", bytes([10, 0, 0, 1]), "10.0.0.1")
    appended = combine_option_settings([DNS_A, extra])[("dhcp", 6)]
    assert appended.value == bytes([10, 0, 0, 251, 10, 0, 0, 9])
    assert appended.text == "10.0.0.251, 10.0.0.9"
    prepended = combine_option_settings([DNS_A, first])[("dhcp", 6)]
    assert prepended.value == bytes([10, 0, 0, 1, 10, 0, 0, 251])
    assert prepended.text == "10.0.0.1, 10.0.0.251"


def test_append_without_an_earlier_value_is_a_plain_setting() -> None:
    extra = setting("append", bytes([10, 0, 0, 9]), "10.0.0.9")
    assert combine_option_settings([extra])[("dhcp", 6)] == extra


def test_joining_with_a_computed_value_is_left_to_request_time() -> None:
    computed = setting("append", None, "concat(...)")
    joined = combine_option_settings([DNS_A, computed])[("dhcp", 6)]
    assert joined.value is None
    assert joined.text == "10.0.0.251, concat(...)"


def test_compressed_domain_lists_are_never_joined_bytewise() -> None:
    first = setting("supersede", b"\x07example\x00", '"example"', code=119, compressed=True)
    second = setting("append", b"\x03org\x00", '"org"', code=119, compressed=True)
    plain = setting("append", b"abc", '"abc"', code=119)
    joined = combine_option_settings([first, second])[("dhcp", 119)]
    assert joined.value is None and joined.compressed_list
    # ISC refuses to join a compressed list with an uncompressed one: the first stays.
    assert combine_option_settings([first, plain])[("dhcp", 119)] == first


def test_options_are_kept_apart_by_space_and_code() -> None:
    router = setting("supersede", bytes([10, 0, 0, 1]), "10.0.0.1", code=3)
    server_param = OptionSetting(
        op="supersede", space="server", name="ping-check", code=6, value=b"\x00", text="false"
    )
    state = combine_option_settings([DNS_A, router, server_param])
    assert list(state) == [("dhcp", 6), ("dhcp", 3), ("server", 6)]
