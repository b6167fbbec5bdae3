"""A received packet's options by option space, as dhcpd's `packet->options` holds them.

`option agent.circuit-id`, `exists fqdn.hostname` and friends read options that dhcpd
decoded out of encapsulating options when the packet arrived (common/options.c
`parse_option_buffer`): every option whose format is `E<space>.` has its payload
parsed as options of that space, recursively, and the raw payload is kept too.  The
rules that decide what such an expression sees are reproduced here:

- a sub-option list ends at the space's end code (0 for every space but `dhcp`, so a
  zero sub-option code ends relay-agent options) or at the first malformed entry —
  the sub-options before it stay;
- only the `dhcp` space joins repeated options; elsewhere the first instance wins;
- an empty `host-name` is dropped on arrival;
- `fqdn` is not a real option list but a view of option 81's fields (ISC
  `fqdn_universe_decode`), with its quirks.

The `dhcp` space itself comes decoded (and joined) in `DhcpPacket.options`.
"""

from __future__ import annotations

from functools import cache

from domain.dhcp_packet import DhcpPacket
from domain.options.definitions import OptionSpace
from domain.options.universes import OptionUniverses

HOST_NAME = 12
DHO_PAD = 0

# fqdn space codes (common/tables.c fqdn_options).
FQDN_NO_CLIENT_UPDATE = 1
FQDN_SERVER_UPDATE = 2
FQDN_ENCODED = 3
FQDN_RCODE1 = 4
FQDN_RCODE2 = 5
FQDN_HOSTNAME = 6
FQDN_DOMAINNAME = 7
FQDN_FQDN = 8
_MAX_LABEL = 63


@cache
def standard_universes() -> OptionUniverses:
    """dhcpd's built-in option spaces (built once: they never change)."""
    return OptionUniverses.standard()


def encapsulated_space_name(option_format: str | None) -> str | None:
    """The space an option's format encapsulates (ISC `find_option_universe`): the
    name between the first `E` and a final `.`; None for `E.` (a space chosen at run
    time, like vendor-encapsulated-options) or a malformed format."""
    if not option_format or option_format[0] not in "Ee":
        return None
    start = option_format.find("E")
    if start < 0:
        return None
    end = option_format.find(".", start + 1)
    if end < 0 or end != len(option_format) - 1 or end == start + 1:
        return None
    return option_format[start + 1 : end]


class IncomingOptions:
    """The options of one packet, by (space, code); sub-spaces decode on first use.

    `stashed_agent_options` is the relay-agent sub-option list dhcpd copies from the
    lease onto a unicast renewal that carries no option 82 (server/dhcp.c `dhcp`): it
    becomes the `agent` space while option 82 itself stays absent.
    """

    __slots__ = ("_packet", "_spaces", "_stashed_agent", "_universes")

    def __init__(
        self,
        packet: DhcpPacket,
        universes: OptionUniverses | None = None,
        stashed_agent_options: bytes | None = None,
    ) -> None:
        self._packet = packet
        self._universes = universes if universes is not None else standard_universes()
        self._stashed_agent = stashed_agent_options
        self._spaces: dict[str, dict[int, bytes]] | None = None

    def get(self, space: str, code: int) -> bytes | None:
        """The value of option `code` of `space` in the packet, or None when absent."""
        if space.lower() == "dhcp":
            return self._dhcp_option(code)
        if self._spaces is None:
            self._spaces = self._decode_encapsulations()
        found = self._universes.space(space)
        if found is None:
            return None
        return self._spaces.get(found.name.lower(), {}).get(code)

    def _dhcp_option(self, code: int) -> bytes | None:
        value = self._packet.options.get(code)
        if code == HOST_NAME and value is not None and not value:
            return None
        return value

    def _decode_encapsulations(self) -> dict[str, dict[int, bytes]]:
        spaces: dict[str, dict[int, bytes]] = {}
        dhcp = self._universes.dhcp
        for code, payload in self._packet.options.items():
            self._decode_encapsulated(dhcp, code, payload, spaces)
        if self._stashed_agent is not None:
            agent = self._universes.space("agent")
            if agent is not None:
                stashed: dict[int, bytes] = {}
                self._decode_list(agent, self._stashed_agent, stashed, spaces)
                spaces[agent.name.lower()] = stashed
        return spaces

    def _decode_encapsulated(
        self, parent: OptionSpace, code: int, payload: bytes, spaces: dict[str, dict[int, bytes]]
    ) -> None:
        option = parent.by_code(code)
        name = encapsulated_space_name(option.format if option is not None else None)
        if name is None:
            return
        space = self._universes.space(name)
        if space is None:
            return
        found = spaces.setdefault(space.name.lower(), {})
        if space.name.lower() == "fqdn":
            decode_fqdn(payload, found)
        elif space.length_size > 0:
            self._decode_list(space, payload, found, spaces)

    def _decode_list(
        self,
        space: OptionSpace,
        buffer: bytes,
        found: dict[int, bytes],
        spaces: dict[str, dict[int, bytes]],
    ) -> None:
        """ISC `parse_option_buffer` over one space: stops at the end code or at the
        first entry that runs past the buffer, keeping what came before."""
        offset = 0
        size = len(buffer)
        while offset + space.tag_size <= size:
            code = int.from_bytes(buffer[offset : offset + space.tag_size], "big")
            if code == space.end:
                return
            offset += space.tag_size
            if code == DHO_PAD:
                continue
            if offset + space.length_size > size:
                return
            length = int.from_bytes(buffer[offset : offset + space.length_size], "big")
            offset += space.length_size
            if offset + length > size:
                return
            payload = buffer[offset : offset + length]
            self._decode_encapsulated(space, code, payload, spaces)
            found.setdefault(code, payload)
            offset += length


def decode_fqdn(buffer: bytes, found: dict[int, bytes]) -> None:
    """Option 81 seen as the `fqdn` space (ISC `fqdn_universe_decode`).

    The work area mirrors ISC's: byte 0 is `encoded`, 1 `no-client-update`, 2
    `server-update`, 3-4 the two rcodes and the name from byte 5 on.  A failure part
    way keeps what was already stored, as in dhcpd.
    """
    length = len(buffer)
    if length < 3:
        return
    work = bytearray(length + 4)
    work[3 : 3 + length - 1] = buffer[1:length]
    flags = buffer[0]
    work[0] = 1 if flags & 4 else 0
    found.setdefault(FQDN_ENCODED, bytes(work[0:1]))
    work[2] = 1 if flags & 1 else 0
    work[1] = 1 if flags & 2 else 0
    if not work[0]:
        if buffer[length - 1] == 0:
            length -= 1
            work[1] = 1
        dot = 3
        while dot < length and buffer[dot] != ord("."):
            dot += 1
        host_length = dot - 3
        if host_length:
            found.setdefault(FQDN_HOSTNAME, bytes(work[5 : 5 + host_length]))
        if length > 4 + host_length:
            start = 6 + host_length
            found.setdefault(FQDN_DOMAINNAME, bytes(work[start : start + length - 4 - host_length]))
        if length > 3:
            found.setdefault(FQDN_FQDN, bytes(work[5 : 5 + length - 3]))
    elif not _decode_fqdn_labels(work, length, found):
        return
    found.setdefault(FQDN_NO_CLIENT_UPDATE, bytes(work[1:2]))
    found.setdefault(FQDN_SERVER_UPDATE, bytes(work[2:3]))
    found.setdefault(FQDN_RCODE1, bytes(work[3:4]))
    found.setdefault(FQDN_RCODE2, bytes(work[4:5]))


def _decode_fqdn_labels(work: bytearray, length: int, found: dict[int, bytes]) -> bool:
    """The DNS-wire-format name of option 81, rewritten in place to dotted text;
    False where dhcpd gives up (a label over 63 bytes or past the buffer)."""
    position = 5
    total = 0
    first = 0
    terminated = False
    while position < length + 2:
        label = work[position]
        if label > _MAX_LABEL:
            return False
        if label == 0:
            terminated = True
            break
        if position + label > length + 3:
            return False
        if first == 0:
            first = label
        work[position] = ord(".")
        position += label + 1
        total += label + 1
    if total > 0:
        total -= 1
    if not terminated:
        first = total
    if first > 0:
        found.setdefault(FQDN_HOSTNAME, bytes(work[6 : 6 + first]))
    if total > 0 and first != total:
        found.setdefault(FQDN_DOMAINNAME, bytes(work[6 + first : 6 + total]))
    if total > 0:
        found.setdefault(FQDN_FQDN, bytes(work[6 : 6 + total]))
    return True
