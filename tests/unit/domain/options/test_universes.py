"""The standard option spaces match dhcpd 4.4.3-P1's tables."""

import pytest

from domain.options.definitions import OptionSpace
from domain.options.universes import OptionUniverses


@pytest.fixture
def universes() -> OptionUniverses:
    return OptionUniverses.standard()


@pytest.mark.parametrize(
    ("space", "name", "code", "fmt"),
    [
        ("dhcp", "subnet-mask", 1, "I"),
        ("dhcp", "time-offset", 2, "l"),
        ("dhcp", "routers", 3, "IA"),
        ("dhcp", "vendor-encapsulated-options", 43, "E."),
        ("dhcp", "slp-service-scope", 79, "fto"),
        ("dhcp", "relay-agent-information", 82, "Eagent."),
        ("dhcp", "domain-search", 119, "Dc"),
        ("dhcp", "option-6rd", 212, "BB6Ia"),
        ("dhcp", "v4-access-domain", 213, "d"),
        ("agent", "circuit-id", 1, "X"),
        ("agent", "relay-port", 19, "Z"),
        ("server", "default-lease-time", 1, "T"),
        ("server", "ddns-update-style", 39, "Nddns-styles."),
        ("server", "log-facility", 44, "Nsyslog-facilities."),
        ("server", "delayed-ack", 58, "S"),
        ("server", "dhcp-cache-threshold", 78, "B"),
        ("server", "check-secs-byte-order", 92, "f"),
        ("server", "ping-timeout-ms", 100, "T"),
        ("nwip", "illegal-1", 1, ""),
        ("fqdn", "fqdn", 8, "t"),
        ("vendor", "isc", 2495, "Eisc."),
        ("dhcp6", "name-servers", 23, "6A"),
        ("isc6", "4o6-source-address", 60001, "6"),
    ],
)
def test_standard_definitions(universes, space, name, code, fmt):
    option = universes.lookup(space, name)
    assert option is not None
    assert (option.code, option.format) == (code, fmt)
    assert universes.by_code(space, code) == option


def test_builds_without_ldap_or_eui64_options(universes):
    assert universes.server_option("ldap-port") is None
    assert universes.server_option("use-eui-64") is None
    assert universes.lookup("dhcp", "pxelinux-magic") is None


def test_names_and_spaces_match_case_insensitively(universes):
    assert universes.lookup("DHCP", "Routers") == universes.lookup("dhcp", "routers")


def test_every_standard_space_is_present(universes):
    names = [space.name for space in universes.spaces()]
    assert names == [
        "dhcp", "nwip", "fqdn", "vendor-class", "vendor", "isc", "dhcp6", "vsio", "isc6",
        "fqdn6-if-you-see-me-its-a-bug-bug-bug", "agent", "server",
    ]
    assert len(universes.server.options()) == 80


def test_encapsulated_spaces_know_their_parent_option(universes):
    assert universes.space("agent").encapsulated_by.code == 82
    assert universes.space("isc").encapsulated_by.qualified_name == "vendor.isc"
    assert universes.space("dhcp").encapsulated_by is None


def test_dhcp_end_code_is_255_and_others_zero(universes):
    assert universes.dhcp.end == 255
    assert universes.space("agent").end == 0


def test_a_redefined_space_hides_the_old_one_but_dhcp_stays_builtin(universes):
    builtin = universes.dhcp
    universes.add_space(OptionSpace("dhcp"))
    assert universes.space("dhcp") is not builtin
    assert universes.dhcp is builtin


def test_enumerations_registered_before_parsing(universes):
    assert universes.enumeration("ddns-styles").value_of("interim") == 2
    assert universes.enumeration("syslog-facilities").value_of("local7") == 184
    assert universes.enumeration("duid-types").width == 2
    assert universes.enumeration("query-types") is None


def test_each_read_gets_its_own_tables():
    first = OptionUniverses.standard()
    second = OptionUniverses.standard()
    first.dhcp.delete_name("routers")
    assert second.lookup("dhcp", "routers") is not None
