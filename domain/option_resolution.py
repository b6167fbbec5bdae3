"""The option state a run of statements leaves, with values computed the way dhcpd
computes them.

dhcpd's option statements only *record* a value in the option state as they run
(common/options.c `set_option`); a value given by an expression is evaluated later,
when the reply is built, with the final variables and the final option state (so
`config-option` sees options set after it).  Here the statements that ran are kept
per option in the order they ran, and an option's value is resolved on demand:
each statement's value is evaluated, then the model's own rule,
`combine_option_settings`, folds supersede/default/append/prepend — the same rule
`DhcpConfig.effective_options` applies to constant settings.

The one join that rule leaves to request time is appending to a compressed domain
list (`domain-search`): dhcpd decompresses both lists, joins them and compresses the
result (common/tree.c `concat_dclists`); `concat_domain_lists` does that here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from domain.config.option_settings import OptionSetting, combine_option_settings
from domain.config.statements import OptionStatement
from domain.eval_context import EvalContext
from domain.evaluate import evaluate_option_value
from domain.options.dns_names import DomainNameError, encode_list

OptionKey = tuple[str, int]
_POINTER = 0xC0
_SPECIAL = frozenset(b'".;\\@$')


@dataclass(frozen=True)
class OptionEntry:
    """One option statement that ran.  `prebuilt` is the model's setting for a
    top-level constant statement, reused as is (its value needs no evaluation)."""

    statement: OptionStatement
    prebuilt: OptionSetting | None = None

    @property
    def key(self) -> OptionKey:
        return (self.statement.universe, self.statement.code)

    def setting(self, ctx: EvalContext) -> OptionSetting:
        if self.prebuilt is not None:
            return self.prebuilt
        statement = self.statement
        assert statement.value is not None  # statements without a value never run
        return OptionSetting(
            op=statement.op,  # type: ignore[arg-type]
            space=statement.universe,
            name=statement.name,
            code=statement.code,
            value=evaluate_option_value(statement.value, ctx),
            text=statement.text,
            compressed_list=statement.format.startswith("Dc"),
        )


def fold_settings(settings: list[OptionSetting]) -> OptionSetting:
    """Settings of one option, in the order they ran, folded into the one that stays."""
    key = settings[0].key
    if not any(setting.compressed_list for setting in settings):
        return combine_option_settings(settings)[key]
    state = settings[0]
    for setting in settings[1:]:
        folded = combine_option_settings([state, setting])[key]
        joined = folded is not state and folded is not setting
        if joined and state.compressed_list and setting.compressed_list:
            first, second = (state, setting) if setting.op == "append" else (setting, state)
            value = None
            if first.value is not None and second.value is not None:
                value = concat_domain_lists(first.value, second.value)
            folded = folded.model_copy(update={"value": value})
        state = folded
    return state


class ResolvedOptions(Mapping[OptionKey, "bytes | None"]):
    """The option state as `config-option` reads it: (space, code) -> the value the
    statements recorded so far give that option.

    Values are computed when asked for, in the context `context()` returns.  An
    option whose value depends on itself (through `config-option`) has no value;
    dhcpd would recurse until it crashed.
    """

    def __init__(
        self,
        entries: Mapping[OptionKey, list[OptionEntry]],
        context: Callable[[], EvalContext],
    ) -> None:
        self._entries = entries
        self._context = context
        self._resolving: set[OptionKey] = set()
        self._cache: dict[OptionKey, OptionSetting] | None = None

    def freeze(self) -> None:
        """No more statements will run: remember each option once computed."""
        self._cache = {}

    def setting(self, key: OptionKey) -> OptionSetting | None:
        entries = self._entries.get(key)
        if not entries:
            return None
        if self._cache is not None and key in self._cache:
            return self._cache[key]
        if len(entries) == 1 and entries[0].prebuilt is not None:
            return entries[0].prebuilt
        if key in self._resolving:
            return None
        self._resolving.add(key)
        try:
            ctx = self._context()
            folded = fold_settings([entry.setting(ctx) for entry in entries])
        finally:
            self._resolving.discard(key)
        if self._cache is not None:
            self._cache[key] = folded
        return folded

    def __getitem__(self, key: OptionKey) -> bytes | None:
        if key not in self._entries:
            raise KeyError(key)
        folded = self.setting(key)
        return None if folded is None else folded.value

    def __iter__(self) -> Iterator[OptionKey]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


# ---- compressed domain lists ------------------------------------------------------------


def _unpack_name(message: bytes, offset: int) -> tuple[list[bytes], int] | None:
    """One name at `offset` (following compression pointers) and the offset after it
    in the original position; None for a malformed name (BIND `ns_name_unpack`)."""
    labels: list[bytes] = []
    position = offset
    end: int | None = None
    hops = 0
    while True:
        if position >= len(message):
            return None
        length = message[position]
        if length == 0:
            return labels, (position + 1 if end is None else end)
        if length & _POINTER == _POINTER:
            if position + 1 >= len(message):
                return None
            if end is None:
                end = position + 2
            position = ((length & 0x3F) << 8) | message[position + 1]
            hops += 2
            if hops >= len(message):
                return None
            continue
        if length & _POINTER or position + 1 + length > len(message):
            return None
        labels.append(message[position + 1 : position + 1 + length])
        position += 1 + length


def _presentation(labels: list[bytes]) -> bytes:
    """A name as dhcpd prints it (BIND `ns_name_ntop`): the root is `.`."""
    if not labels:
        return b"."
    out = bytearray()
    for index, label in enumerate(labels):
        if index:
            out += b"."
        for byte in label:
            if byte in _SPECIAL:
                out += b"\\" + bytes([byte])
            elif 0x20 < byte < 0x7F:
                out.append(byte)
            else:
                out += b"\\%03d" % byte
    return bytes(out)


def _uncompressed_list(data: bytes) -> list[bytes] | None:
    """The names of a compressed list in presentation form; empty for an empty list."""
    if not data or data[0] == 0:
        return []
    names: list[bytes] = []
    offset = 0
    while offset < len(data):
        unpacked = _unpack_name(data, offset)
        if unpacked is None:
            return None
        labels, offset = unpacked
        names.append(_presentation(labels))
    return names


def concat_domain_lists(first: bytes, second: bytes) -> bytes | None:
    """Two RFC 1035-compressed name lists joined and compressed again; None where
    dhcpd's `concat_dclists` fails.  Two empty lists give one zero byte."""
    names_first = _uncompressed_list(first)
    names_second = _uncompressed_list(second)
    if names_first is None or names_second is None:
        return None
    text = b",".join(names_first + names_second)
    if not text:
        return b"\0"
    try:
        return encode_list(text.split(b","), compress=True)
    except DomainNameError:
        return None
