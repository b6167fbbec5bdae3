"""The relay agent option space as dhcpd.leases uses it (server/stables.c agent_options).

A lease keeps the sub-options its last relayed packet carried and ISC writes each as
`option agent.NAME VALUE;`, the value shown in the sub-option's format: X (octets:
text or colon hex), I (an IPv4 address), L (an unsigned 32-bit number) or Z (nothing).
A code ISC has no name for is `unknown-N`, format X.
"""

from __future__ import annotations

from adapters.leasefile.quoting import agent_text_or_hex

# name -> (code, format)
AGENT_SUBOPTIONS: dict[str, tuple[int, str]] = {
    "circuit-id": (1, "X"),
    "remote-id": (2, "X"),
    "agent-id": (3, "I"),
    "DOCSIS-device-class": (4, "L"),
    "link-selection": (5, "I"),
    "relay-port": (19, "Z"),
}
AGENT_NAMES_BY_CODE = {code: name for name, (code, _) in AGENT_SUBOPTIONS.items()}
AGENT_SPACE_END = 255  # codes 0 and 255 are not options in this space


def agent_format(name: str) -> str:
    """The format letter of a sub-option name (X for `unknown-N`)."""
    known = AGENT_SUBOPTIONS.get(name)
    return "X" if known is None else known[1]


def format_agent_value(name: str, data: bytes) -> str | None:
    """The value text ISC writes for a sub-option, or None when the line is left out.

    ISC leaves out empty values.  Where the data is too short for the format ISC
    would write `<error>`, which its own reader then rejects; we leave the line out
    instead.  Longer data shows its first field only, as ISC shows it."""
    if not data:
        return None
    fmt = agent_format(name)
    if fmt == "X":
        return agent_text_or_hex(data)
    if fmt == "Z":
        return ""
    if len(data) < 4:
        return None
    if fmt == "I":
        return ".".join(str(b) for b in data[:4])
    return str(int.from_bytes(data[:4], "big"))
