"""Start-up lines for configured services this server does not provide: DNS updates
and `local-address`; nothing for a configuration without them (an OMAPI port and
`remote-port` are served now, so they are not named)."""

from __future__ import annotations

from collections.abc import Callable

from domain.config.model import DhcpConfig
from domain.config.unserved import unserved_lines

SUBNET = "subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }\n"


def test_a_plain_configuration_asks_for_nothing_unserved(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config("ddns-update-style none;\n" + SUBNET)
    assert unserved_lines(config.global_parameters) == ()


def test_dns_updates_are_named_and_omapi_no_longer_is(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config("ddns-update-style interim;\nomapi-port 7911;\n" + SUBNET)
    assert config.global_parameters.omapi_port == 7911
    assert unserved_lines(config.global_parameters) == (
        "ddns-update-style interim: this server sends no DNS updates (leases get no"
        " forward or reverse names)",
    )


def test_local_address_is_named_and_remote_port_no_longer_is(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config("remote-port 6868;\nlocal-address 10.0.0.2;\n" + SUBNET)
    assert config.global_parameters.remote_port == 6868  # served: ops/reply_sender
    assert unserved_lines(config.global_parameters) == (
        "local-address 10.0.0.2: not honoured; use `serve --listen ADDRESS` to bind one"
        " address",
    )
