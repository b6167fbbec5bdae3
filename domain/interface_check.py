"""Which network interfaces the server answers on, decided at start-up as dhcpd does.

dhcpd (common/discover.c `discover_interfaces`, server/dhcpd.c) serves the interfaces
named on its command line or, when none are named, every interface that is up and can
broadcast (loopback and point-to-point links excluded).  Each one must be attached to a
declared subnet: dhcpd looks its addresses up among the subnets, and an interface on no
subnet gets a warning block and is ignored; if no interface is left it stops with
"Not configured to listen on any interfaces!".  An administrator swapping dhcpd out
keeps those warnings and that refusal, so this module reproduces the decision and its
exact lines.  The machine's interfaces come in as data: nothing here asks the kernel.

What dhcpd does that the lines show:
- it walks the interfaces in the kernel's order but keeps them on a list it prepends
  to, so its messages come in reverse order (command-line names: last named first);
- a named interface that does not exist, or is down, is not an error of its own: it
  simply has no address, so it is "No subnet declaration for X (no IPv4 addresses)."
  (dhcpd's "%s: not found" is unreachable in a build with DHCPv6, as Debian's);
- every interface it looks at, named or not, is matched to subnets, so two of them on
  one subnet are reported even when only one is served;
- every IPv4 address of an interface is matched, secondary ones too (dhcpd reads them
  with getifaddrs), in the kernel's order: one in a declared subnet is enough, and the
  warning names the first;
- an `interface NAME;` in the configuration requests that interface as the command
  line does: with one in the file and none on the command line, only it is served.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.config.model import DhcpConfig
from domain.dhcp_decision import LogLine, error, info

# IFNAMSIZ minus the terminating NUL: dhcpd refuses a longer name on its command line.
MAX_INTERFACE_NAME = 15
NO_INTERFACES = "Not configured to listen on any interfaces!"


@dataclass(frozen=True, slots=True)
class NetworkInterface:
    """One interface as the kernel reports it: its IPv4 addresses, primary first, and
    the flags dhcpd's choice depends on."""

    name: str
    addresses: tuple[ipaddress.IPv4Address, ...]
    up: bool
    broadcast: bool
    loopback: bool = False
    point_to_point: bool = False


@dataclass(frozen=True, slots=True)
class InterfaceCheck:
    """The interfaces to serve (names, in dhcpd's order), the lines dhcpd logs while
    choosing them, and whether it stops there (`fatal`: exit 1 after the lines).
    `networks` names the shared network each interface is attached to: the one of its
    first address in a declared subnet, which a secondary address may be — a request
    arriving on the interface belongs there (its primary address may be on none).
    `addresses` gives each interface's first address: dhcpd's server identifier and
    reply source on it, whatever the kernel would pick for a broadcast."""

    served: tuple[str, ...]
    log: tuple[LogLine, ...]
    fatal: bool
    networks: dict[str, str] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)


def name_too_long(requested: Sequence[str]) -> LogLine | None:
    """dhcpd's fatal line for the first command-line interface name the kernel could
    never have (it checks while reading its arguments, before anything else)."""
    for name in requested:
        if len(name.encode()) > MAX_INTERFACE_NAME:
            return error(f"{name}: interface name too long (is {len(name.encode())})")
    return None


def check_interfaces(
    config: DhcpConfig, present: Sequence[NetworkInterface], requested: Sequence[str]
) -> InterfaceCheck:
    """Decide which interfaces are served.

    `present` is the machine's interfaces in the kernel's (index) order; `requested`
    the names given on the command line, empty for "every broadcast interface".  An
    `interface NAME;` of the configuration requests its interface too (see
    `_tied`).
    """
    tied = _tied(config, requested)
    requested = [*requested, *tied]
    looked_at = [interface for interface in present if _looked_at(interface, requested)]
    firsts = {interface.name: str(interface.addresses[0])
              for interface in looked_at if interface.addresses}
    networks: dict[str, str] = dict(tied)
    lines, torn = _attach(config, looked_at, networks)
    if torn:
        return InterfaceCheck((), tuple(lines), True, networks, firsts)
    served: list[str] = []
    for name, addresses in _candidates(looked_at, requested):
        if any(config.subnet_for_address(address) is not None for address in addresses):
            served.append(name)
            continue
        lines.extend(_no_subnet_lines(name, addresses[0] if addresses else None))
    fatal = not served
    if fatal:
        lines.extend((info(""), error(NO_INTERFACES)))
    return InterfaceCheck(tuple(served), tuple(lines), fatal, networks, firsts)


def _tied(config: DhcpConfig, named: Sequence[str]) -> dict[str, str]:
    """The interfaces `interface NAME;` statements add to dhcpd's requested list, each
    with the shared network it is tied to, in the configuration's order.

    dhcpd reads its arguments before the configuration, and the statement adds to the
    same list (server/mdb.c `new_shared_network_interface`); once the list is not
    empty only its interfaces are served (common/discover.c), so a configuration that
    names one interface serves that one alone.  A name already on the list (from the
    command line, or an earlier statement) is not tied again: dhcpd skips it."""
    tied: dict[str, str] = {}
    for network in config.shared_networks:
        name = network.interface
        if name is not None and name not in named and name not in tied:
            tied[name] = network.name
    return tied


def _looked_at(interface: NetworkInterface, requested: Sequence[str]) -> bool:
    """dhcpd skips a down interface always, and one that cannot broadcast (or is
    loopback or point-to-point) unless it was named."""
    if not interface.up:
        return False
    if interface.name in requested:
        return True
    return interface.broadcast and not interface.loopback and not interface.point_to_point


def _candidates(
    looked_at: Sequence[NetworkInterface], requested: Sequence[str]
) -> list[tuple[str, tuple[ipaddress.IPv4Address, ...]]]:
    """The interfaces dhcpd goes on to check, in its (reversed) order, each with the
    addresses it found.  A name given twice is two entries, only the first of which (in
    that order) is matched with the kernel's interface."""
    if not requested:
        return [(interface.name, interface.addresses) for interface in reversed(looked_at)]
    addresses = {interface.name: interface.addresses for interface in looked_at}
    candidates: list[tuple[str, tuple[ipaddress.IPv4Address, ...]]] = []
    for name in reversed(requested):
        candidates.append((name, addresses.pop(name, ())))
    return candidates


def _attach(
    config: DhcpConfig, looked_at: Sequence[NetworkInterface], networks: dict[str, str]
) -> tuple[list[LogLine], bool]:
    """dhcpd's `dhcpd_interface_setup_hook`, address by address: each interface takes
    the shared network of its first address in a declared subnet (into `networks`); an
    address in another shared network is fatal (True); a second interface landing on a
    subnet (and so on a shared network) that an earlier one has gets a complaint, and
    the earlier one keeps it.  A shared network an `interface` statement tied (in
    `networks` already) is that interface's from the start."""
    owners: dict[tuple[str, int | str], str] = {
        ("same shared network", network): name for name, network in networks.items()}
    lines: list[LogLine] = []
    for interface in looked_at:
        for address in interface.addresses:
            subnet = config.subnet_for_address(address)
            if subnet is None:
                continue
            owner = owners.setdefault(("same subnet", subnet.id), interface.name)
            if owner != interface.name:
                lines.append(error(f"Multiple interfaces match the same subnet: "
                                   f"{owner} {interface.name}"))
            attached = networks.setdefault(interface.name, subnet.shared_network)
            if attached != subnet.shared_network:
                lines.append(error(f"Interface {interface.name} matches multiple shared"
                                   " networks"))
                return lines, True
            owner = owners.setdefault(("same shared network", subnet.shared_network),
                                      interface.name)
            if owner != interface.name:
                lines.append(error(f"Multiple interfaces match the same shared network: "
                                   f"{owner} {interface.name}"))
    return lines, False


def _no_subnet_lines(name: str, address: ipaddress.IPv4Address | None) -> list[LogLine]:
    shown = "no IPv4 addresses" if address is None else str(address)
    return [
        error(""),
        error(f"No subnet declaration for {name} ({shown})."),
        error(f"** Ignoring requests on {name}.  If this is not what"),
        error("   you want, please write a subnet declaration"),
        error("   in your dhcpd.conf file for the network segment"),
        error(f"   to which interface {name} is attached. **"),
        error(""),
    ]
