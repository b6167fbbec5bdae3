"""The option spaces of one configuration read, as dhcpd builds them at start-up.

dhcpd starts with a fixed set of spaces (dhcp, nwip, fqdn, vendor-class, vendor, isc,
dhcp6, vsio, isc6, the fqdn6 shim, agent and server) and the configuration may add
spaces (`option space NAME;`) and options (`option [SPACE.]NAME code N = TYPE;`).
Definitions take effect from the statement that makes them onwards, so the parser
owns one `OptionUniverses` per read and mutates it as it goes, exactly as dhcpd
mutates its global tables.
"""

from __future__ import annotations

from domain.options.definitions import Enumeration, OptionDef, OptionSpace, _fold
from domain.options.standard_tables import (
    AGENT_OPTIONS,
    DHCP6_OPTIONS,
    DHCP_OPTIONS,
    FQDN_OPTIONS,
    ISC6_OPTIONS,
    ISC_OPTIONS,
    NWIP_OPTIONS,
    SERVER_OPTIONS,
    VENDOR_CLASS_OPTIONS,
    VENDOR_OPTIONS,
    VSIO_OPTIONS,
    OptionTable,
)

_SYSLOG_FACILITIES = (
    ("kern", 0), ("user", 8), ("mail", 16), ("daemon", 24), ("auth", 32), ("syslog", 40),
    ("lpr", 48), ("news", 56), ("uucp", 64), ("cron", 72), ("authpriv", 80), ("ftp", 88),
    ("local0", 128), ("local1", 136), ("local2", 144), ("local3", 152), ("local4", 160),
    ("local5", 168), ("local6", 176), ("local7", 184),
)

# Enumerations dhcpd registers before it reads its configuration.
STANDARD_ENUMERATIONS = (
    Enumeration("ddns-styles", 1, (("none", 0), ("ad-hoc", 1), ("interim", 2), ("standard", 3))),
    Enumeration("syslog-facilities", 1, _SYSLOG_FACILITIES),
    Enumeration(
        "prefix_length_modes", 1,
        (("ignore", 0), ("prefer", 1), ("exact", 2), ("minimum", 3), ("maximum", 4)),
    ),
    Enumeration(
        "duid-types", 2, (("duid-llt", 1), ("duid-en", 2), ("duid-ll", 3), ("duid-uuid", 4))
    ),
    Enumeration(
        "status-codes", 2,
        (("success", 0), ("UnspecFail", 1), ("NoAddrsAvail", 2), ("NoBinding", 3),
         ("NotOnLink", 4), ("UseMulticast", 5), ("NoPrefixAvail", 6), ("UnknownQueryType", 7),
         ("MalformedQuery", 8), ("NotConfigured", 9), ("NotAllowed", 10),
         ("QueryTerminated", 11)),
    ),
    Enumeration(
        "dhcpv6-messages", 1,
        tuple((name, i + 1) for i, name in enumerate((
            "SOLICIT", "ADVERTISE", "REQUEST", "CONFIRM", "RENEW", "REBIND", "REPLY",
            "RELEASE", "DECLINE", "RECONFIGURE", "INFORMATION-REQUEST", "RELAY-FORW",
            "RELAY-REPL", "LEASEQUERY", "LEASEQUERY-REPLY", "LEASEQUERY-DONE",
            "LEASEQUERY-DATA", "RECONFIGURE-REQUEST", "RECONFIGURE-REPLY", "DHCPV4-QUERY",
            "DHCPV4-RESPONSE",
        ))),
    ),
)

# (space, tag size, length size, end code, table, (parent space, parent code) or None)
_STANDARD_SPACES: tuple[tuple[str, int, int, int, OptionTable, tuple[str, int] | None], ...] = (
    ("dhcp", 1, 1, 255, DHCP_OPTIONS, None),
    ("nwip", 1, 1, 0, NWIP_OPTIONS, ("dhcp", 63)),
    ("fqdn", 1, 1, 0, FQDN_OPTIONS, ("dhcp", 81)),
    ("vendor-class", 4, 1, 0, VENDOR_CLASS_OPTIONS, ("dhcp", 124)),
    ("vendor", 4, 1, 0, VENDOR_OPTIONS, ("dhcp", 125)),
    ("isc", 2, 2, 0, ISC_OPTIONS, ("vendor", 2495)),
    ("dhcp6", 2, 2, 0, DHCP6_OPTIONS, None),
    ("vsio", 4, 0, 0, VSIO_OPTIONS, ("dhcp6", 17)),
    ("isc6", 4, 0, 0, ISC6_OPTIONS, ("vsio", 2495)),
    ("fqdn6-if-you-see-me-its-a-bug-bug-bug", 0, 0, 0, (), ("dhcp6", 39)),
    ("agent", 1, 1, 0, AGENT_OPTIONS, ("dhcp", 82)),
    ("server", 4, 1, 0, SERVER_OPTIONS, None),
)


class OptionUniverses:
    """Every option space of one configuration, with ISC's lookup rules.

    Space names are matched case-insensitively and a redefined space hides the
    older one, as in dhcpd's universe hash.  `dhcp` and `server` always mean the
    built-in spaces, whatever the configuration later calls by those names, because
    dhcpd keeps direct pointers to them.
    """

    def __init__(self) -> None:
        self._spaces: dict[str, list[OptionSpace]] = {}
        self._enumerations = {e.name: e for e in STANDARD_ENUMERATIONS}
        for name, tag_size, length_size, end, table, parent in _STANDARD_SPACES:
            space = OptionSpace(name, tag_size=tag_size, length_size=length_size, end=end)
            for option_name, code, fmt in table:
                space.add(OptionDef(name, option_name, code, fmt))
            if parent is not None:
                space.encapsulated_by = self._top(parent[0]).by_code(parent[1])
            self.add_space(space)
        self.dhcp = self._top("dhcp")
        self.server = self._top("server")

    @classmethod
    def standard(cls) -> OptionUniverses:
        """The spaces, options and enumerations dhcpd has before reading its config."""
        return cls()

    def _top(self, name: str) -> OptionSpace:
        space = self.space(name)
        if space is None:
            raise KeyError(name)
        return space

    def space(self, name: str) -> OptionSpace | None:
        """The space currently known by `name` (ISC universe_hash_lookup)."""
        stack = self._spaces.get(_fold(name))
        return stack[-1] if stack else None

    def add_space(self, space: OptionSpace) -> OptionSpace:
        self._spaces.setdefault(_fold(space.name), []).append(space)
        return space

    def spaces(self) -> list[OptionSpace]:
        """The visible spaces, in the order they were first defined."""
        return [stack[-1] for stack in self._spaces.values() if stack]

    def enumeration(self, name: str) -> Enumeration | None:
        """The enumeration an `N<name>.` field refers to; names match exactly."""
        return self._enumerations.get(name)

    def lookup(self, universe: str, name: str) -> OptionDef | None:
        """The option `universe.name`, or None."""
        space = self.space(universe)
        return None if space is None else space.by_name(name)

    def by_code(self, universe: str, code: int) -> OptionDef | None:
        space = self.space(universe)
        return None if space is None else space.by_code(code)

    def server_option(self, name: str) -> OptionDef | None:
        """A server parameter by name (dhcpd's config universe)."""
        return self.server.by_name(name)
