"""`option agent.NAME VALUE;` inside a lease, read as ISC's parse_option_decl reads it.

Only the agent space is stored on a lease.  ISC parses an option of any other space
with that option's format and then refuses it ("agent option expected."); not having
the formats of the other spaces here, we pass over its value to the `;` and give the
same message, which differs from dhcpd only when that value is itself malformed.  A
space that dhcpd.conf defines (`option space …`) is unknown here and reported as
dhcpd reports a space that does not exist.
"""

from __future__ import annotations

from adapters.dhcpdconf.diagnostics import Diagnostic
from adapters.dhcpdconf.lexer import is_identifier
from adapters.dhcpdconf.primitives import convert_num, parse_ip_addr, skip_to_semi
from adapters.leasefile.agent_options import AGENT_NAMES_BY_CODE, AGENT_SUBOPTIONS
from adapters.leasefile.lease_lexer import LeaseLexer
from adapters.leasefile.token_fields import c_atoi, read_hex_or_string
from domain.lease import AgentOption

_HUNK_BUFFER = 1024  # ISC's hunkbuf: the most octets one option value can hold
_CANONICAL_NAMES = {name.lower(): name for name in AGENT_SUBOPTIONS}
# The option spaces dhcpd has before it reads its configuration (common/tables.c,
# server/stables.c).
_BUILT_IN_SPACES = frozenset({
    "dhcp", "nwip", "fqdn", "vendor-class", "vendor", "isc", "dhcp6", "vsio", "isc6",
    "fqdn6-if-you-see-me-its-a-bug-bug-bug", "agent", "server",
})


def _option_name(cf: LeaseLexer) -> tuple[str, str] | None:
    """ISC parse_option_name: (space, name), None after a reported error."""
    tok = cf.next()
    if not is_identifier(tok.kind):
        cf.warn("expecting identifier after option keyword.")
        if tok.kind != ";":
            skip_to_semi(cf)
        return None
    if cf.peek().kind != ".":
        return "dhcp", tok.text
    cf.skip()
    name = cf.next()
    if not is_identifier(name.kind):
        cf.warn("expecting identifier after '.'")
        if name.kind != ";":
            skip_to_semi(cf)
        return None
    if tok.text.lower() not in _BUILT_IN_SPACES:
        cf.warn(f"no option space named {tok.text}.")
        skip_to_semi(cf)
        return None
    return tok.text.lower(), name.text


def _agent_name(cf: LeaseLexer, written: str) -> str | None:
    """The agent sub-option a written name stands for (names ignore case, as ISC's
    option hash does; `unknown-N` names a code)."""
    known = _CANONICAL_NAMES.get(written.lower())
    if known is not None:
        return known
    if not written.lower().startswith("unknown-"):
        cf.warn(f"no option named {written} in space agent")
        skip_to_semi(cf)
        return None
    code = c_atoi(written[8:]) & 0xFFFFFFFF
    if code == 0:
        cf.warn("Option codes 0 and 0 are illegal in the agent space.")
        skip_to_semi(cf)
        return None
    defined = AGENT_NAMES_BY_CODE.get(code)
    if defined is None:
        return written
    cf.diagnostics.add(Diagnostic(
        (f"option {written} has been redefined as option {defined}.  "
         "Please update your configs if necessary.",),
        is_error=False,
    ))
    return defined


def _value(cf: LeaseLexer, fmt: str) -> bytes | None:
    """The option's value in its format, before the `;`; None after an error that
    ends the statement (ISC's `goto exit` / `goto parse_exit`)."""
    if fmt == "X":
        return read_hex_or_string(cf, _HUNK_BUFFER)
    if fmt == "I":
        address = parse_ip_addr(cf)
        return None if address is None else address.packed
    if fmt == "L":
        tok = cf.next()
        if tok.kind not in ("NUMBER", "NUMBER_OR_NAME"):
            cf.warn("expecting number.")
            if tok.kind != ";":
                skip_to_semi(cf)
            return None
        return (convert_num(cf, tok.text, 0, 32) & 0xFFFFFFFF).to_bytes(4, "big")
    if cf.peek().kind != ";":  # Z: no value at all
        cf.warn("semicolon expected.")
        skip_to_semi(cf)
        return None
    return b""


def read_agent_option(cf: LeaseLexer) -> AgentOption | None:
    """The rest of an `option` (or `supersede`) line in a lease: the agent sub-option
    to keep, or None when ISC keeps nothing (the reason is reported)."""
    spaced = _option_name(cf)
    if spaced is None:
        return None
    space, written = spaced
    if space != "agent":
        skip_to_semi(cf)
        cf.warn("agent option expected.")
        return None
    name = _agent_name(cf, written)
    if name is None:
        return None
    fmt = AGENT_SUBOPTIONS.get(name, (0, "X"))[1]
    data = _value(cf, fmt)
    if data is None:
        return None
    if cf.next().kind != ";":
        cf.warn("semicolon expected.")
        skip_to_semi(cf)
        return None
    return AgentOption(name, data)
