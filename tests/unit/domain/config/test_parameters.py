"""Server parameters decoded from the server option space, ISC defaults elsewhere."""

from __future__ import annotations

import ipaddress

import pytest

from domain.config.option_settings import OptionSetting, combine_option_settings
from domain.config.parameters import (
    ServerParameters,
    parameters_for_scopes,
    resolve_server_parameters,
)
from domain.config.scopes import Scope
from domain.options.standard_tables import SERVER_OPTIONS

CODES = {name: code for name, code, _ in SERVER_OPTIONS}


def param(name: str, value: bytes | None, text: str = "") -> OptionSetting:
    return OptionSetting(
        op="supersede", space="server", name=name, code=CODES[name], value=value, text=text
    )


def resolve(*settings: OptionSetting, authoritative: bool = False) -> ServerParameters:
    return resolve_server_parameters(
        combine_option_settings(settings), authoritative=authoritative
    )


def test_nothing_configured_gives_isc_defaults() -> None:
    params = resolve()
    # includes/dhcpd.h and the lookups in server/dhcp.c (spec dhcpd §1.3)
    assert (params.default_lease_time, params.max_lease_time) == (43200, 86400)
    assert params.effective_min_lease_time == 300
    assert params.ping_check is True and params.ping_timeout == 1
    assert params.one_lease_per_client is False
    assert params.stash_agent_options is True
    assert params.boot_unknown_clients == "allow" and params.leasequery == "deny"
    assert params.dhcp_cache_threshold == 25 and params.abandon_lease_time == 86400
    assert params.ddns_update_style == "none" and params.log_facility is None
    assert params.authoritative is False


def test_lease_times_are_four_byte_numbers() -> None:
    params = resolve(
        param("default-lease-time", (600).to_bytes(4, "big")),
        param("max-lease-time", (7200).to_bytes(4, "big")),
        param("min-lease-time", (60).to_bytes(4, "big")),
    )
    assert (params.default_lease_time, params.max_lease_time) == (600, 7200)
    assert params.effective_min_lease_time == 60


def test_min_lease_time_defaults_to_max_when_max_is_below_300() -> None:
    params = resolve(param("max-lease-time", (120).to_bytes(4, "big")))
    assert params.min_lease_time is None
    assert params.effective_min_lease_time == 120


def test_a_value_of_the_wrong_width_keeps_the_default() -> None:
    assert resolve(param("max-lease-time", b"\x00\x10")).max_lease_time == 86400


def test_a_computed_value_keeps_the_default() -> None:
    assert resolve(param("max-lease-time", None, "= lease-time")).max_lease_time == 86400


@pytest.mark.parametrize(("byte", "expected"), [(0, "deny"), (1, "allow"), (2, "ignore")])
def test_allow_deny_ignore_flags(byte: int, expected: str) -> None:
    params = resolve(param("boot-unknown-clients", bytes([byte])), param("declines", bytes([byte])))
    assert params.boot_unknown_clients == expected
    assert params.declines == expected


def test_only_the_byte_one_is_true_for_a_boolean() -> None:
    assert resolve(param("ping-check", b"\x00")).ping_check is False
    assert resolve(param("one-lease-per-client", b"\x01")).one_lease_per_client is True
    # `ignore` stores 2, which dhcpd's boolean evaluation reads as false.
    assert resolve(param("one-lease-per-client", b"\x02")).one_lease_per_client is False


def test_enumerations_are_decoded_by_name() -> None:
    params = resolve(param("ddns-update-style", b"\x02"), param("log-facility", bytes([184])))
    assert params.ddns_update_style == "interim"
    assert params.log_facility == "local7"


def test_text_addresses_and_ports() -> None:
    params = resolve(
        param("filename", b"pxelinux.0"),
        param("server-name", b"boot.example"),
        param("next-server", bytes([10, 0, 0, 5])),
        param("lease-file-name", b"/var/lib/dhcp/dhcpd.leases"),
        param("local-port", (6767).to_bytes(2, "big")),
        OptionSetting(
            op="supersede", space="dhcp", name="dhcp-server-identifier", code=54,
            value=bytes([10, 0, 0, 10]), text="10.0.0.10",
        ),
    )
    assert params.filename == "pxelinux.0" and params.server_name == "boot.example"
    assert params.next_server == ipaddress.IPv4Address("10.0.0.5")
    assert params.lease_file_name == "/var/lib/dhcp/dhcpd.leases"
    assert params.local_port == 6767
    assert params.server_identifier == ipaddress.IPv4Address("10.0.0.10")


def test_a_dhcp_option_with_a_server_parameter_code_is_not_a_parameter() -> None:
    dns = OptionSetting(
        op="supersede", space="dhcp", name="domain-name-servers", code=2,
        value=bytes([10, 0, 0, 1]), text="10.0.0.1",
    )
    assert resolve(dns).max_lease_time == 86400


def test_later_scopes_win() -> None:
    outer = Scope(id=0, kind="global", parent=None, options=(
        param("max-lease-time", (7200).to_bytes(4, "big")),
        param("ping-check", b"\x00"),
    ))
    inner = Scope(id=1, kind="subnet", parent=0, options=(
        param("max-lease-time", (300).to_bytes(4, "big")),
    ))
    params = parameters_for_scopes([outer, inner], authoritative=True)
    assert params.max_lease_time == 300
    assert params.ping_check is False
    assert params.authoritative is True
