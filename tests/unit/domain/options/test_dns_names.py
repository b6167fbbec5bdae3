"""DNS wire encoding of domain names, as dhcpd's ns_name_pton / ns_name_pack do it."""

import pytest

from domain.options.dns_names import DomainNameError, encode_list, encode_name, name_to_labels


def test_labels_with_and_without_trailing_dot():
    assert name_to_labels(b"example.com") == [b"example", b"com"]
    assert name_to_labels(b"example.com.") == [b"example", b"com"]
    assert name_to_labels(b".") == []
    assert name_to_labels(b"") == []


def test_escapes():
    assert name_to_labels(b"a\\.b.c") == [b"a.b", b"c"]
    assert name_to_labels(b"\\065x") == [b"Ax"]


@pytest.mark.parametrize(
    "bad", [b"a..b", b".a", b"a" * 64 + b".com", b"\\25", b"\\256", (b"a" * 60 + b".") * 5]
)
def test_names_dhcpd_rejects(bad):
    with pytest.raises(DomainNameError):
        name_to_labels(bad)


def test_encode_name():
    assert encode_name([b"ab", b"c"]) == b"\x02ab\x01c\x00"


def test_uncompressed_list_is_names_back_to_back():
    assert encode_list([b"a.com", b"b.com"], compress=False) == b"\x01a\x03com\x00\x01b\x03com\x00"


def test_compression_points_at_the_earliest_matching_suffix():
    # RFC 3397's example: eng.apple.com, marketing.apple.com
    encoded = encode_list([b"eng.apple.com", b"marketing.apple.com"], compress=True)
    assert encoded == (
        b"\x03eng\x05apple\x03com\x00" + b"\x09marketing" + b"\xc0\x04"
    )


def test_compression_is_case_insensitive_and_reuses_whole_names():
    encoded = encode_list([b"Example.COM", b"example.com"], compress=True)
    assert encoded == b"\x07Example\x03COM\x00\xc0\x00"
