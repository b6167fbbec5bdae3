"""TSIG keys and DNS zones declared in dhcpd.conf (for DDNS updates and OMAPI).

dhcpd registers `key` and `zone` declarations in global tables the moment it reads
them, wherever they appear, and a later declaration of the same name replaces the
earlier one.  `DnsDefinitions` is that table for one configuration read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.config.expressions import Expr

# The TSIG algorithms dhcpd can build a key for (names compared case-insensitively).
KNOWN_ALGORITHMS = frozenset(
    f"HMAC-{name}.SIG-ALG.REG.INT."
    for name in ("MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512")
)


@dataclass(frozen=True)
class TsigKey:
    """`key NAME { algorithm ALG; secret BASE64; }`; the algorithm is stored fully
    qualified (`hmac-md5` becomes `hmac-md5.SIG-ALG.REG.INT.`), as dhcpd stores it."""

    name: str
    algorithm: str
    secret: bytes = field(repr=False)

    @property
    def usable(self) -> bool:
        """Whether dhcpd can sign with it (else it logs "Unable to create tsec …")."""
        return self.algorithm.upper() in KNOWN_ALGORITHMS


@dataclass(frozen=True)
class DnsZone:
    """`zone NAME { primary …; secondary …; primary6 …; secondary6 …; key K; }`.

    The name always ends with a dot.  Server lists are the expressions dhcpd builds
    (literal addresses or DNS lookups, concatenated).
    """

    name: str
    primary: Expr | None = None
    secondary: Expr | None = None
    primary6: Expr | None = None
    secondary6: Expr | None = None
    key: str | None = None


def _fold(name: str) -> str:
    return name.lower()


@dataclass
class DnsDefinitions:
    """The keys and zones known so far, by case-insensitive name."""

    keys: dict[str, TsigKey] = field(default_factory=dict)
    zones: dict[str, DnsZone] = field(default_factory=dict)

    def add_key(self, key: TsigKey) -> None:
        self.keys[_fold(key.name)] = key

    def key(self, name: str) -> TsigKey | None:
        return self.keys.get(_fold(name))

    def add_zone(self, zone: DnsZone) -> None:
        self.zones[_fold(zone.name)] = zone
