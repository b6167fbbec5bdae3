"""What an option is and what an option space is, in ISC dhcpd's terms.

An option is known by its space, name and code, and its value layout is described by an
ISC *format string*: one letter per field (`I` IPv4 address, `L` unsigned 32-bit, `t`
text, `A` "the whole record repeats", `a` "the last field repeats", `o` "the field
before is optional", `E<space>.` an encapsulated space, `N<enum>.` an enumeration…).
Keeping ISC's format strings verbatim, rather than inventing a richer type, is what
lets the parser consume exactly the tokens dhcpd consumes for every option, including
ones the administrator defines with `option NAME code N = …;`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The format dhcpd gives an option it knows only by number (`unknown-NNN`).
DEFAULT_OPTION_FORMAT = "X"


@dataclass(frozen=True)
class OptionDef:
    """One option definition (ISC `struct option`).

    `format` is None only for a name allocated for a definition that has not been
    completed (`option foo code …` before the `=` part is parsed).
    """

    universe: str
    name: str
    code: int
    format: str | None

    @property
    def qualified_name(self) -> str:
        return f"{self.universe}.{self.name}"


@dataclass(frozen=True)
class Enumeration:
    """A named set of identifiers an `N<name>.` field accepts (ISC `struct
    enumeration`); `width` is the number of bytes the value takes on the wire."""

    name: str
    width: int
    values: tuple[tuple[str, int], ...]

    def value_of(self, identifier: str) -> int | None:
        """The value of `identifier`; matched case-sensitively, as ISC's strcmp does."""
        for name, value in self.values:
            if name == identifier:
                return value
        return None

    def name_of(self, value: int) -> str | None:
        for name, candidate in self.values:
            if candidate == value:
                return name
        return None


def _fold(name: str) -> str:
    """ISC hashes option and space names case-insensitively (ASCII only)."""
    return name.encode("latin-1", "replace").lower().decode("latin-1")


@dataclass(eq=False)
class OptionSpace:
    """One option universe (ISC `struct universe`) and its two lookup tables.

    The tables behave like ISC's hash tables: adding a name that is already present
    hides the older entry instead of replacing it, and deleting a name uncovers it
    again.  dhcpd relies on that when an option is redefined.  `end` is the code
    that, besides 0, may not be used as `unknown-NNN` (255 in the dhcp space).
    `encapsulated_by` is the option whose value carries this space, if any.
    """

    name: str
    tag_size: int = 1
    length_size: int = 1
    end: int = 0
    encapsulated_by: OptionDef | None = None
    _by_name: dict[str, list[OptionDef]] = field(default_factory=dict, repr=False)
    _by_code: dict[int, list[OptionDef]] = field(default_factory=dict, repr=False)

    def by_name(self, name: str) -> OptionDef | None:
        stack = self._by_name.get(_fold(name))
        return stack[-1] if stack else None

    def by_code(self, code: int) -> OptionDef | None:
        stack = self._by_code.get(code)
        return stack[-1] if stack else None

    def add(self, option: OptionDef) -> None:
        """Enter `option` under its name and its code (ISC option_*_hash_add)."""
        self._by_name.setdefault(_fold(option.name), []).append(option)
        self._by_code.setdefault(option.code, []).append(option)

    def delete_name(self, name: str) -> None:
        """Remove the newest entry for `name`, if any (ISC option_name_hash_delete)."""
        stack = self._by_name.get(_fold(name))
        if stack:
            stack.pop()

    def delete_code(self, code: int) -> None:
        stack = self._by_code.get(code)
        if stack:
            stack.pop()

    def options(self) -> list[OptionDef]:
        """Every option visible by code, in code order."""
        return [stack[-1] for code, stack in sorted(self._by_code.items()) if stack]
