"""The fast path of the lease reader: a `lease` record in the layout ISC writes.

Replaying a lease file of a busy server means reading a few hundred thousand records,
and reading each one token by token through a model of ISC's lexer costs about a third
of a millisecond (this path: some 16 microseconds).  Nearly all of them are in the exact
layout dhcpd (and our writer) produce, so this module reads that layout with one
regular expression.

It is deliberately narrow: anything that is not plainly in the canonical layout (tabs,
upper case, escapes other than the ones ISC writes (`\\ooo`, and a backslash before one
of `"\\'$`|&`), a repeated `set` name, a `billing subclass`, an `on` block, comments
other than the one after an `epoch` date …) makes it return None, and the token reader
takes the record, so both paths give the same lease for any text they both accept.
Tests check that equivalence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from adapters.dhcpdconf.keywords import KEYWORDS
from adapters.leasefile.agent_options import AGENT_NAMES_BY_CODE, AGENT_SUBOPTIONS
from adapters.leasefile.dates import as_c_int, isc_date_value
from adapters.leasefile.lease_reader import build_lease
from adapters.leasefile.quoting import unquote_canonical
from adapters.leasefile.token_fields import c_atoi
from domain.lease import NEVER, AgentOption, BillingClass, BindingState, Hardware, Lease

_MAX_TOKEN = 1499  # the longest string or word ISC's lexer takes without cutting it
_S = r'(?:[^"\\\n]|\\[0-3][0-7]{2}|\\["\\\'$`|&])*'
_DATE = r"(?:[0-6] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d;|never;|epoch \d{1,10}; #[^\n]*)"
_STATE = r"(free|active|expired|released|abandoned|reset|backup)"
_HEX_PAIRS = r"[0-9a-f]{2}(?::[0-9a-f]{2})*"
_SET_LINE = r'  set [A-Za-z][A-Za-z0-9_-]* = (?:"' + _S + r'"|%-?\d{1,20}|true|false);\n'
_AGENT_VALUE = (r'(?:"' + _S + r'"|[0-9a-f]{1,2}(?::[0-9a-f]{1,2})*'
                r"|\d{1,3}(?:\.\d{1,3}){3}|0|[1-9]\d{0,9})")
_AGENT_LINE = r"  option agent\.[A-Za-z0-9-]+ " + _AGENT_VALUE + r";\n"
_TIMES = ("starts", "ends", "tstp", "tsfp", "atsfp", "cltt")

_LEASE = re.compile(
    r"lease (\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}) \{\n"
    + "".join(f"(?:  {name} ({_DATE})\\n)?" for name in _TIMES)
    + rf"(?:  binding state {_STATE};\n)?"
    + rf"(?:  next binding state {_STATE};\n)?"
    + rf"(?:  rewind binding state {_STATE};\n)?"
    + r"(  reserved;\n)?(  dynamic-bootp;\n)?"
    + r'(?:  billing class "(' + _S + r')";\n)?'
    + r"(?:  hardware (ethernet|token-ring|fddi|infiniband|unknown-\d{1,3}) ("
    + _HEX_PAIRS + r")?;\n)?"
    + r'(?:  uid (?:"(' + _S + r')"|(' + _HEX_PAIRS + r"));\n)?"
    + r"((?:" + _SET_LINE + r")*)"
    + r"((?:" + _AGENT_LINE + r")*)"
    + r'(?:  client-hostname "(' + _S + r')";\n)?'
    + r"\}(?:\n|\Z)"
)
_SET = re.compile(r'  set ([A-Za-z][A-Za-z0-9_-]*) = (?:"(' + _S + r')"|%(-?\d+)|(true|false));\n')
_AGENT = re.compile(r"  option agent\.([A-Za-z0-9-]+) (" + _AGENT_VALUE + r");\n")
_HARDWARE_TYPES = {"ethernet": 1, "token-ring": 6, "fddi": 8, "infiniband": 32}
_STATES: dict[str | None, BindingState] = {state.value: state for state in BindingState}
_WEEKDAYS = frozenset("0123456")
_HOURS = {f"{n:02d}": n * 3600 for n in range(100)}
_MINUTES = {f"{n:02d}": n * 60 for n in range(100)}
_SECONDS = {f"{n:02d}": n for n in range(100)}


class _NotCanonical(Exception):
    """The record needs the token reader."""


def _date(text: str) -> int | None:
    """The value of a canonical date (as the token reader would compute it).

    Every record has a few dates and nearly every time in a log is different, but the
    days are few: the day's part of the sum is cached, the time of day added to it
    from tables of the two-digit fields."""
    if text[0] in _WEEKDAYS:
        day = _day_value(text[:12])
        if day is None:
            return NEVER
        value = day + _HOURS[text[13:15]] + _MINUTES[text[16:18]] + _SECONDS[text[19:21]]
        if not -(2**31) <= value < 2**31:
            value = as_c_int(value)
        return value or None
    if text == "never;":
        return NEVER
    return as_c_int(c_atoi(text[6 : text.index(";")])) or None


@lru_cache(maxsize=16384)
def _day_value(day: str) -> int | None:
    """ISC's value of midnight of `W YYYY/MM/DD` (None: the year makes it `never`)."""
    month = int(day[7:9])
    if not 1 <= month <= 12:
        raise _NotCanonical
    value = isc_date_value(int(day[2:6]), month, int(day[10:12]), 0, 0, 0)
    return None if value == NEVER else value


def _text(body: str) -> str:
    value = unquote_canonical(body)
    if len(value) > _MAX_TOKEN:
        raise _NotCanonical
    return value


def _bindings(block: str) -> tuple[tuple[str, bytes | int | bool], ...]:
    out: list[tuple[str, bytes | int | bool]] = []
    names: set[str] = set()
    for name, string, number, flag in _SET.findall(block):
        folded = name.lower()
        if folded in KEYWORDS or folded in names or len(name) > _MAX_TOKEN:
            raise _NotCanonical
        names.add(folded)
        if flag:
            out.append((name, flag == "true"))
        elif number:
            out.append((name, c_atoi(number)))
        else:
            out.append((name, _text(string).encode("latin-1")))
    return tuple(out)


def _agent_options(block: str) -> tuple[AgentOption, ...]:
    out: list[AgentOption] = []
    for name, value in _AGENT.findall(block):
        known = AGENT_SUBOPTIONS.get(name)
        if known is None:
            if not name.startswith("unknown-") or not name[8:].isdigit():
                raise _NotCanonical
            code = int(name[8:])
            if code == 0 or code in AGENT_NAMES_BY_CODE:
                raise _NotCanonical
            fmt = "X"
        else:
            fmt = known[1]
        out.append(AgentOption(name, _agent_value(fmt, value)))
    return tuple(out)


def _agent_value(fmt: str, value: str) -> bytes:
    if fmt == "X":
        if value.startswith('"'):
            return _text(value[1:-1]).encode("latin-1")
        if "." not in value and (":" in value or len(value) <= 2):
            return bytes(int(part, 16) for part in value.split(":"))
    elif fmt == "I" and value.count(".") == 3:
        parts = [int(part) for part in value.split(".")]
        if max(parts) <= 255:
            return bytes(parts)
    elif fmt == "L" and value.isdigit() and value[0] != "0" and int(value) <= 0xFFFFFFFF:
        return int(value).to_bytes(4, "big")
    raise _NotCanonical


def read_canonical_lease(text: str, start: int) -> tuple[Lease, int] | None:
    """The lease record at `start` and the offset after it (its closing `}` and the
    newline after that), or None when the record is not in the canonical layout."""
    match = _LEASE.match(text, start)
    if match is None:
        return None
    try:
        return _lease(match), match.end()
    except _NotCanonical:
        return None


def _lease(match: re.Match[str]) -> Lease:
    g = match.groups()
    octets = [int(part) for part in g[0:4]]
    if max(octets) > 255:
        raise _NotCanonical
    times = {}
    for name, date in zip(_TIMES, g[4:10], strict=True):
        if date is not None:
            times[name] = _date(date)
    binding, following, rewind = (_STATES.get(s) for s in g[10:13])
    hardware = None
    if g[16] is not None:
        htype = _HARDWARE_TYPES.get(g[16])
        if htype is None:
            htype = as_c_int(int(g[16][8:])) & 0xFF
        address = bytes.fromhex(g[17].replace(":", "")) if g[17] else b""
        if len(address) > 20:  # ISC refuses it ("hardware address too long")
            raise _NotCanonical
        hardware = Hardware(htype, address)
    uid = None
    if g[18]:  # an empty uid is no uid, as in ISC
        uid = _text(g[18]).encode("latin-1")
    elif g[19] is not None:
        uid = bytes.fromhex(g[19].replace(":", ""))
    hostname = None if g[22] is None else _text(g[22]).split("\0", 1)[0]
    return build_lease(
        ".".join(map(str, octets)), times, binding,
        binding if following is None else following, binding if rewind is None else rewind,
        reserved=g[13] is not None, dynamic_bootp=g[14] is not None,
        billing=None if g[15] is None else BillingClass(_text(g[15])),
        hardware=hardware, uid=uid, bindings=_bindings(g[20]) if g[20] else (),
        agent_options=_agent_options(g[21]) if g[21] else (), client_hostname=hostname,
    )
