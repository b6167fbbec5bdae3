"""Option settings of a scope, and how a chain of scopes combines them.

ISC dhcpd runs the option statements of each scope that applies to a request into one
option state, outermost scope first (common/options.c `set_option`): `supersede` (and
plain `option`) replaces what an outer scope set, `default` only fills a gap, `append`
and `prepend` join their value to the earlier one.  Server parameters such as
`max-lease-time` are options in the `server` space and combine the same way, which is
why one function serves both.

Only values that are constants when the file is read can be combined here; an option
whose value is an expression (`option host-name = host-decl-name;`) keeps `value=None`
and is finished by the evaluator at request time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from domain.config.frozen_model import FrozenModel

OptionOp = Literal["supersede", "default", "prepend", "append", "send"]


class OptionSetting(FrozenModel):
    """One option statement as written in a scope.

    `value` is the encoded option payload (no code or length bytes) when the statement's
    value is a constant, else None.  `text` is the value as dhcpd.conf would spell it
    (`10.0.0.251, 10.0.0.252`, `"example.org"`), kept for summaries and log lines.
    `compressed_list` marks an RFC 1035-compressed domain list (ISC format `Dc`), whose
    encodings cannot simply be concatenated.
    """

    op: OptionOp
    space: str
    name: str
    code: int
    value: bytes | None
    text: str
    compressed_list: bool = False

    @property
    def key(self) -> tuple[str, int]:
        """Options are identified by space and code, as in ISC's option state."""
        return (self.space, self.code)


def _joined(first: OptionSetting, second: OptionSetting, result_op: OptionOp) -> OptionSetting:
    """The value dhcpd builds for append/prepend: the two payloads one after the other.

    ISC joins compressed domain lists by decompressing, joining and recompressing them
    at request time, so such a join (and any join with a non-constant part) is left to
    the evaluator with `value=None`.
    """
    value = None
    if first.value is not None and second.value is not None and not first.compressed_list:
        value = first.value + second.value
    return OptionSetting(
        op=result_op,
        space=second.space,
        name=second.name,
        code=second.code,
        value=value,
        text=f"{first.text}, {second.text}",
        compressed_list=first.compressed_list,
    )


def combine_option_settings(
    settings: Iterable[OptionSetting],
) -> dict[tuple[str, int], OptionSetting]:
    """Run `settings` in order into one option state (ISC `set_option`).

    Returns the surviving setting per (space, code), in the order the options were
    first set.
    """
    state: dict[tuple[str, int], OptionSetting] = {}
    for setting in settings:
        earlier = state.get(setting.key)
        if earlier is None or setting.op in ("supersede", "send"):
            state[setting.key] = setting
        elif setting.op == "default":
            continue
        elif setting.compressed_list != earlier.compressed_list:
            # ISC refuses to join a compressed list with anything else and keeps the
            # earlier value ("Both options must be Dc format").
            continue
        elif setting.op == "append":
            state[setting.key] = _joined(earlier, setting, earlier.op)
        else:
            state[setting.key] = _joined(setting, earlier, earlier.op)
    return state
