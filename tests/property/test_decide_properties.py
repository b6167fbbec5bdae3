"""decide() survives any packet, and never binds one address to two clients.

Hypothesis builds a small configuration (one or two subnets, tiny ranges, maybe a
pool guarded by known-ness or a class, fixed hosts, authoritative or not,
one-lease-per-client) and then a day
of random traffic: every message type and BOOTP, a handful of clients that share
hardware addresses and client identifiers, addresses inside and outside the ranges,
relays known and unknown, junk option payloads, the clock moving, the lease timer
running, pings answered at random.  The driver plays the adapter (holds applied,
changes committed).  Two promises are checked on every step:

- `decide`, `ping_answered` and `handle_timer` return normally for every input;
- no committed record makes an address active for a client while it is still active
  (unexpired) for a different client — dhcpd's "one address, one owner".
"""

from __future__ import annotations

import ipaddress
import tempfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.config.model import DhcpConfig
from domain.dhcp_discover import ping_answered
from domain.dhcp_packet import ZERO, DhcpPacket, Inbound, MessageType, Opt
from domain.dhcp_server import decide
from domain.lease import BindingState, Lease
from domain.lease_lifecycle import handle_timer
from projections.lease_view import LeaseView

DECIDE_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
START = 1_800_000_000
MACS = [bytes([2, 0, 0, 0, 0, n]) for n in range(1, 5)]
CLIENT_IDS = [None, b"\x01a", b"\x01b", b"", b"x"]
ADDRESSES = [
    "10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.50", "10.0.0.200", "10.1.0.10",
    "10.1.0.11", "10.1.0.60", "192.0.2.7", ZERO,
]
RELAYS = [ZERO, ZERO, "10.1.0.1", "10.0.0.1", "198.51.100.1"]
KINDS = [*list(MessageType), None, 0, 9, 200]


@cache
def parsed(text: str) -> DhcpConfig:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dhcpd.conf"
        path.write_text(text)
        result = read_config(str(path))
        assert result.ok, result.output_lines()
        return build_config(result.tree)


@st.composite
def configs(draw: st.DrawFn) -> DhcpConfig:
    lines = ["ping-check true;" if draw(st.booleans()) else "ping-check false;"]
    if draw(st.booleans()):
        lines.append("authoritative;")
    if draw(st.booleans()):
        lines.append("one-lease-per-client true;")
    lines.append(f"default-lease-time {draw(st.sampled_from([60, 600, 3600]))};")
    if draw(st.booleans()):
        lines.append("host fixed { hardware ethernet 02:00:00:00:00:01; fixed-address 10.0.0.50; }")
    if draw(st.booleans()):
        lines.append('host byid { option dhcp-client-identifier "\\001b"; }')
    high = draw(st.integers(10, 12))
    guard = "deny unknown-clients;"
    if draw(st.booleans()):
        lines.append(
            'class "ab" { match if substring(option vendor-class-identifier, 0, 2) = "ab"; }'
        )
        guard = draw(st.sampled_from([guard, 'allow members of "ab";', 'deny members of "ab";']))
    if draw(st.booleans()):
        pools = (
            f"pool {{ {guard} range 10.0.0.10 10.0.0.10; }}"
            f" pool {{ range 10.0.0.11 10.0.0.{max(high, 11)}; }}"
        )
    else:
        pools = f"range 10.0.0.10 10.0.0.{high};"
    lines.append(f"subnet 10.0.0.0 netmask 255.255.255.0 {{ {pools} }}")
    if draw(st.booleans()):
        lines.append("subnet 10.1.0.0 netmask 255.255.255.0 { range 10.1.0.10 10.1.0.11; }")
    return parsed("\n".join(lines) + "\n")


def address_bytes(text: str) -> bytes:
    return ipaddress.IPv4Address(text).packed


@st.composite
def messages(draw: st.DrawFn) -> DhcpPacket:
    kind = draw(st.sampled_from(KINDS))
    options: dict[int, bytes] = {}
    if kind is not None:
        options[Opt.MESSAGE_TYPE] = bytes([kind])
    if draw(st.booleans()):
        options[Opt.REQUESTED_ADDRESS] = address_bytes(draw(st.sampled_from(ADDRESSES)))
    client_id = draw(st.sampled_from(CLIENT_IDS))
    if client_id is not None:
        options[Opt.CLIENT_IDENTIFIER] = client_id
    if draw(st.booleans()):
        options[Opt.VENDOR_CLASS_IDENTIFIER] = draw(st.sampled_from([b"ab", b"abc", b"x"]))
    for code in (Opt.SERVER_IDENTIFIER, Opt.LEASE_TIME, Opt.RELAY_AGENT_INFORMATION,
                 Opt.SUBNET_SELECTION, Opt.HOST_NAME, Opt.PARAMETER_REQUEST_LIST,
                 Opt.MAX_MESSAGE_SIZE, Opt.VENDOR_CLASS_IDENTIFIER):
        if draw(st.integers(0, 5)) == 0:
            options[code] = draw(st.binary(max_size=6))
    chaddr = draw(st.sampled_from([*MACS, b"", bytes(17)]))
    cookie = draw(st.booleans()) or kind is not None
    return DhcpPacket(
        op=draw(st.sampled_from([1, 1, 1, 2])), htype=draw(st.sampled_from([1, 1, 0])),
        hlen=len(chaddr), hops=0, xid=draw(st.integers(0, 2**32 - 1)),
        secs=draw(st.integers(0, 10)), flags=draw(st.sampled_from([0, 0x8000])),
        ciaddr=draw(st.sampled_from(ADDRESSES)), yiaddr=ZERO, siaddr=ZERO,
        giaddr=draw(st.sampled_from(RELAYS)), chaddr=chaddr,
        options=options if cookie else {}, has_cookie=cookie,
    )


def other_client(old: Lease, new: Lease) -> bool:
    """Clients are told apart by client id when both records have one, else by
    hardware address (dhcpd's own test in `supersede_lease`)."""
    if old.uid and new.uid:
        return old.uid != new.uid
    return old.hardware != new.hardware


def check_single_owner(view: LeaseView, new: Lease, now: int) -> None:
    old = view.table.get(new.ip)
    if new.binding_state is not BindingState.ACTIVE or old is None:
        return
    still_bound = old.binding_state is BindingState.ACTIVE and (old.ends or 0) > now
    assert not (still_bound and other_client(old, new)), (old, new)


@DECIDE_SETTINGS
@given(
    config=configs(),
    steps=st.lists(
        st.tuples(messages(), st.integers(0, 4000), st.booleans(), st.booleans()),
        min_size=1, max_size=25,
    ),
)
def test_decide_never_raises_and_never_double_binds(
    config: DhcpConfig, steps: list[tuple[DhcpPacket, int, bool, bool]],
) -> None:
    view = LeaseView(config)
    now = START
    for message, elapsed, answer_ping, run_timer in steps:
        now += elapsed
        source = message.ciaddr if message.ciaddr != ZERO else ZERO
        decision = decide(Inbound(message, "eth0", source, 68, "10.0.0.2"), view, config, now)
        for hold in decision.holds:
            view.hold(hold)
        changes = list(decision.changes)
        if decision.ping is not None and answer_ping:
            changes += ping_answered(decision.ping, view, config, now).changes
        for change in changes:
            check_single_owner(view, change.lease, now)
            view.apply(change.lease)
        if run_timer:
            for change in handle_timer(view, config, now):
                view.apply(change.lease)
