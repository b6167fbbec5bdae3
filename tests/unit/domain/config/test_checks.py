"""The semantic checks and dhcpd's message texts (texts as the real dhcpd -t prints
them; see spec/dhcpd.md §2 and spec/failover.md §12)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.config import checks


def ip(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


@given(st.integers(min_value=-(2**33), max_value=2**33))
def test_an_address_number_is_written_as_ipaddress_writes_it(number: int) -> None:
    assert checks.dotted(number) == str(ipaddress.IPv4Address(number & 0xFFFFFFFF))


def test_bad_subnet_number() -> None:
    assert checks.bad_subnet_number(ip("10.0.0.1"), ip("255.255.255.0")) == (
        "subnet 10.0.0.1 netmask 255.255.255.0: bad subnet number/mask combination."
    )
    assert checks.bad_subnet_number(ip("10.0.0.0"), ip("255.255.255.0")) is None
    assert checks.bad_subnet_number(ip("10.0.0.0"), ip("255.0.255.0")) is None


@pytest.mark.parametrize(
    ("mask", "length"),
    [("255.255.255.0", 24), ("0.0.0.0", 0), ("255.0.255.0", 24), ("255.255.255.255", 32)],
)
def test_prefix_length_counts_from_the_lowest_set_bit(mask: str, length: int) -> None:
    assert checks.prefix_length(ip(mask)) == length


def test_implicit_shared_network_name() -> None:
    assert checks.implicit_shared_network_name(ip("10.1.0.0"), ip("255.255.0.0")) == "10.1.0.0/16"


def test_range_outside_subnet() -> None:
    assert checks.range_outside_subnet(ip("10.0.1.20"), ip("10.0.0.0"), ip("255.255.255.0")) == (
        "bad range, address 10.0.1.20 not in subnet 10.0.0.0 netmask 255.255.255.0"
    )
    assert checks.range_outside_subnet(ip("10.0.0.20"), ip("10.0.0.0"), ip("255.255.255.0")) is None


def test_lease_declared_twice() -> None:
    assert checks.lease_declared_twice(ip("10.0.0.15")) == "lease 10.0.0.15 is declared twice!"


def test_subnet_overlap() -> None:
    wide, narrow = (ip("10.0.0.0"), ip("255.255.0.0")), (ip("10.0.1.0"), ip("255.255.255.0"))
    inner = checks.subnet_overlap(*narrow, *wide)
    assert inner == checks.Overlap("Warning: subnet 10.0.1.0/24 overlaps subnet 10.0.0.0/16", True)
    outer = checks.subnet_overlap(*wide, *narrow)
    assert outer.warning == "Warning: subnet 10.0.0.0/16 overlaps subnet 10.0.1.0/24"
    assert not outer.inner
    apart = checks.subnet_overlap(ip("10.1.0.0"), ip("255.255.0.0"), *narrow)
    assert apart == checks.Overlap(None, False)


def test_a_zero_mask_is_printed_as_dhcpd_misreads_it() -> None:
    """dhcpd's bit search runs past a zero mask (live output: `0.0.0.0/-26`)."""
    overlap = checks.subnet_overlap(0, 0, ip("100.64.0.0"), ip("255.192.0.0"))
    assert overlap.warning == "Warning: subnet 0.0.0.0/-26 overlaps subnet 100.64.0.0/10"


def test_hba_from_split() -> None:
    assert checks.hba_from_split(128) == b"\xff" * 16 + b"\x00" * 16
    assert checks.hba_from_split(3) == b"\x07" + b"\x00" * 31
    assert checks.hba_from_split(0) == bytes(32)


@pytest.mark.parametrize(
    ("settings", "problems"),
    [
        (checks.PeerSettings(True, True, True, 600), []),
        (checks.PeerSettings(False, True, False, 0), []),
        (
            checks.PeerSettings(True, False, False, 600),
            ["peer address may not be omitted", "primary failover server must have hba or split."],
        ),
        (checks.PeerSettings(True, True, True, 0), ["primary failover server must have mclt."]),
    ],
)
def test_failover_peer_problems(settings: checks.PeerSettings, problems: list[str]) -> None:
    assert checks.failover_peer_problems(settings) == problems


def test_failover_sanity() -> None:
    lines, fatal = checks.failover_sanity([("b", 1, 3), ("a", 0, 0)])
    assert [(line.text, line.is_error) for line in lines] == [
        (
            "ERROR: Failover peer, a, has no referring pools. You must refer to each peer "
            "in at least one pool declaration.",
            True,
        ),
        (
            "WARNING: load balancing will be disabled for failover peer, a, because its "
            "load balance max secs is 0",
            False,
        ),
    ]
    assert fatal == "Failover configuration sanity check failed"
    assert checks.failover_sanity([("b", 2, 5)]) == ([], None)


def test_postconf_checks() -> None:
    assert checks.postconf_fatal("ddns-update-style", b"\x01") == (
        "ddns-update-style ad_hoc no longer supported"
    )
    assert checks.postconf_fatal("ddns-update-style", b"\x02") is None
    assert checks.postconf_fatal("ddns-update-style", b"") == "invalid dns update type"
    assert checks.postconf_fatal("local-port", b"\x00") == "invalid local port data length"
    assert checks.postconf_fatal("local-port", b"\x00\x43") is None
    assert checks.postconf_fatal("local-address", None) is None
    assert checks.postconf_fatal("default-lease-time", b"\x00") is None


@pytest.mark.parametrize(
    ("data", "text"),
    [(b"abc", '"abc"'), (b"\x01\x02", "01:02"), (b"", '""'), (b"a\x00", "61:00")],
)
def test_hex_or_string(data: bytes, text: str) -> None:
    assert checks.hex_or_string(data) == text


def test_host_uid_conflict() -> None:
    assert checks.host_uid_conflict("h", b"abc", b"\x01\x02") == (
        "Warning, host declaration 'h' already has uid '\"abc\"', "
        "ignoring dhcp-client-identifier '01:02'"
    )


def test_overly_large_range() -> None:
    assert checks.overly_large_range(ip("10.0.0.0"), ip("10.215.148.51"), 14128180) is None
    assert checks.overly_large_range(ip("10.215.148.52"), ip("10.0.0.0"), 14128181) == (
        "10.215.148.52-10.0.0.0 is an overly large address range."
    )
