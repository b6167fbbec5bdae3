from domain.options.value_text import field_text, quoted


def test_quoted_escapes_like_dhcpd_leases():
    assert quoted(b'a"b\\c') == '"a\\"b\\\\c"'
    assert quoted(b"\x01\xffz") == '"\\001\\377z"'


def test_integers_signed_and_unsigned():
    assert field_text("L", b"\xff\xff\xff\xff") == "4294967295"
    assert field_text("l", b"\xff\xff\xff\xff") == "-1"
    assert field_text("s", b"\x80\x00") == "-32768"
    assert field_text("S", b"\x80\x00") == "32768"
    assert field_text("b", b"\xff") == "-1"
    assert field_text("B", b"\xff") == "255"


def test_lease_time_and_flags():
    assert field_text("T", b"\xff\xff\xff\xff") == "infinite"
    assert field_text("T", b"\x00\x00\x0e\x10") == "3600"
    assert [field_text("f", bytes([v])) for v in (0, 1, 2, 7)] == ["false", "true", "ignore", "7"]
