"""Records written as ISC's write_lease, write_failover_state and write_host write them.

The expected texts are records dhcpd 4.4.3-P1 wrote (fixtures/isc/), so each test says
which record it reproduces.
"""

from __future__ import annotations

import random
import string
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.leasefile.agent_options import format_agent_value
from adapters.leasefile.dates import LeaseFileStyle
from adapters.leasefile.reader import parse_lease_file
from adapters.leasefile.writer import (
    format_authoring_byte_order,
    format_failover_state,
    format_file_header,
    format_host,
    format_lease,
    format_record,
    format_server_duid,
    hardware_type_name,
)
from domain.lease import (
    NEVER,
    AgentOption,
    AuthoringByteOrder,
    BillingClass,
    BindingState,
    ByteOrder,
    FailoverState,
    FailoverStateRecord,
    Hardware,
    HostRecord,
    Lease,
    ServerDuid,
    VerbatimRecord,
)

FIXTURES = Path(__file__).parent / "fixtures" / "isc"
T = 1795798800  # 5 2026/11/27 17:00:00
ENDS = 2111331600  # 3 2036/11/26 17:00:00


def _isc_record(fixture: str, opening: str) -> str:
    text = (FIXTURES / f"{fixture}.leases").read_text(encoding="latin-1")
    start = text.index(opening + " {\n")
    return text[start : text.index("\n}\n", start) + 3]


def test_every_lease_field_in_iscs_order() -> None:
    lease = Lease(
        "10.20.0.14", starts=T, ends=ENDS, tstp=ENDS,
        binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
        billing=BillingClass("limited"), hardware=Hardware(8, bytes(range(6))),
        uid=b"\x01\xfe\xed\x00\x00\x01",
        agent_options=(
            AgentOption("circuit-id", b"circ-1"),
            AgentOption("remote-id", b"\x01\x02\x03\xab\xcd"),
            AgentOption("agent-id", bytes([10, 1, 2, 3])),
            AgentOption("DOCSIS-device-class", b"\xff" * 4),
            AgentOption("link-selection", bytes([10, 20, 0, 0])),
            AgentOption("unknown-99", b"odd\"text' $`|&\\"),
            AgentOption("circuit-id", b"trailing-nul\x00"),
            AgentOption("remote-id", b""),
        ),
    )
    assert format_lease(lease) == _isc_record("fields", "lease 10.20.0.14")


def test_bindings_flags_and_hostname() -> None:
    lease = Lease(
        "10.20.0.13", starts=T, ends=ENDS, tstp=ENDS,
        binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
        hardware=Hardware(6, bytes.fromhex("001122334455")),
        uid=b' "\\ \x7f\x80\xff plain text ~',
        bindings=(("hexdata", b"\n\x0b\x0c"), ("nope", False), ("yes", True),
                  ("large", 2**63 - 1), ("negative", -17), ("count", 42),
                  ("data", b"\x00\x01\x02 quote\" back\\ high\xff"),
                  ("vendor-class-identifier", b"MSFT 5.0")),
        client_hostname="host.example.org",
    )
    assert format_lease(lease) == _isc_record("fields", "lease 10.20.0.13")


def test_bootp_reserved_and_never() -> None:
    bootp = Lease("10.20.0.16", starts=T, ends=NEVER, tstp=NEVER,
                  binding_state=BindingState.ACTIVE, dynamic_bootp=True,
                  hardware=Hardware(7, b"\xaa\xbb"))
    assert format_lease(bootp) == _isc_record("fields", "lease 10.20.0.16")
    reserved = Lease("10.20.0.17", starts=T, ends=ENDS, tstp=ENDS,
                     binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
                     reserved=True, billing=BillingClass("perrelay", b"\x00\x01\xff"),
                     hardware=Hardware(1, b""))
    assert format_lease(reserved) == _isc_record("fields", "lease 10.20.0.17")


def test_on_blocks_shared_and_separate() -> None:
    shared_body = ('\n    set gone = "yes" ;\n    log (info, \n'
                   '        concat ("lease gone: ", ClientIP));\n  ')
    shared = Lease("10.20.0.18", starts=T, ends=ENDS, tstp=ENDS,
                   binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
                   hardware=Hardware(1, bytes.fromhex("020000000018")),
                   bindings=(("ClientIP", b"10.20.0.18"),),
                   on_expiry=shared_body, on_release=shared_body, on_expiry_or_release=True)
    assert format_lease(shared) == _isc_record("fields", "lease 10.20.0.18")
    separate = Lease("10.20.0.19", starts=T, ends=ENDS, tstp=ENDS,
                     binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
                     hardware=Hardware(1, bytes.fromhex("020000000019")),
                     on_expiry='\n    set e = "1" ;\n  ',
                     on_release=('\n    if option host-name = "x" {\n      set r = "1" ;\n'
                                 '    } else {\n      set r = "2" ;\n    }\n  '))
    assert format_lease(separate) == _isc_record("fields", "lease 10.20.0.19")


def test_states_equal_to_the_binding_state_are_left_out() -> None:
    lease = Lease("10.0.0.1", binding_state=BindingState.FREE,
                  next_binding_state=BindingState.FREE, rewind_binding_state=BindingState.FREE)
    assert format_lease(lease) == "lease 10.0.0.1 {\n  binding state free;\n}\n"


def test_zero_times_empty_uids_and_unprintable_hostnames_are_left_out_as_isc_does() -> None:
    lease = Lease("10.0.0.1", starts=0, binding_state=BindingState.FREE, uid=b"",
                  client_hostname='bad"name')
    assert format_lease(lease) == "lease 10.0.0.1 {\n  binding state free;\n}\n"


def test_failover_times_and_hex_ids() -> None:
    lease = Lease("10.66.0.101", starts=T, tstp=T, tsfp=T, atsfp=T,
                  binding_state=BindingState.BACKUP, uid=b"\x01\x02")
    assert format_lease(lease, LeaseFileStyle(hex_lease_ids=True)) == (
        "lease 10.66.0.101 {\n  starts 5 2026/11/27 17:00:00;\n  tstp 5 2026/11/27 17:00:00;\n"
        "  tsfp 5 2026/11/27 17:00:00;\n  atsfp 5 2026/11/27 17:00:00;\n"
        "  binding state backup;\n  uid 01:02;\n}\n"
    )


def test_local_time_dates() -> None:
    lease = Lease("10.20.0.24", starts=T, ends=T + 600, tstp=T + 600,
                  binding_state=BindingState.FREE,
                  rewind_binding_state=BindingState.RELEASED,
                  hardware=Hardware(1, bytes.fromhex("020000000024")))
    style = LeaseFileStyle(local_zone=ZoneInfo("Europe/Berlin"))
    assert format_lease(lease, style) == _isc_record("fields-local", "lease 10.20.0.24")


def test_failover_state_of_a_primary_and_a_secondary() -> None:
    primary = FailoverStateRecord("fo", FailoverState.NORMAL, T, FailoverState.NORMAL, T + 1)
    expected = _isc_record("failover-primary", 'failover peer "fo" state')
    assert format_failover_state(primary) == expected
    secondary = FailoverStateRecord("fo", FailoverState.NORMAL, T, FailoverState.NORMAL, T + 1,
                                    mclt=0)
    assert format_failover_state(secondary) == _isc_record("failover-secondary",
                                                           'failover peer "fo" state')


def test_failover_state_without_time_is_the_operators_form() -> None:
    record = FailoverStateRecord("fo", my_state=FailoverState.PARTNER_DOWN)
    assert format_failover_state(record) == (
        'failover peer "fo" state {\n  my state partner-down;\n}\n'
    )


def test_hosts() -> None:
    made = HostRecord("omhost1", dynamic=True,
                      hardware=Hardware(1, bytes.fromhex("020000000e01")), uid=b"printable-id",
                      fixed_addresses=("10.20.1.10",), group="gname",
                      statements='\n        supersede host-name = "omhost1";')
    assert format_host(made) == _isc_record("fields", "host omhost1")
    binary_uid = HostRecord("omhost2", dynamic=True,
                            hardware=Hardware(1, bytes.fromhex("020000000e02")),
                            uid=b"\x01\x02\x00\xff", fixed_addresses=("10.20.1.11", "10.20.1.12"))
    assert format_host(binary_uid) == _isc_record("fields", "host omhost2")
    deleted = HostRecord("cfghost", deleted=True, hardware=Hardware(1, b"\x02"))
    assert format_host(deleted) == _isc_record("fields", "host cfghost")


def test_header_duid_and_byte_order() -> None:
    text = (FIXTURES / "pair-primary.leases").read_text(encoding="latin-1")
    assert text.startswith(format_file_header("isc-dhcp-4.4.3-P1") + "\n")
    duid = ServerDuid(b"\x00\x01\x00\x012\x9c\x9c\xc7\xfe\x87\xfb\xdd'L")
    assert format_server_duid(duid, LeaseFileStyle(hex_lease_ids=True)) == (
        "server-duid 00:01:00:01:32:9c:9c:c7:fe:87:fb:dd:27:4c;\n"
    )
    assert format_server_duid(ServerDuid(b"\x00\x01\x02")) == 'server-duid "\\000\\001\\002";\n'
    assert format_authoring_byte_order(AuthoringByteOrder(ByteOrder.BIG_ENDIAN)) == (
        "authoring-byte-order big-endian;\n"
    )


def test_format_record_picks_the_writer_and_keeps_verbatim_text() -> None:
    verbatim = VerbatimRecord("class", 'class "x" {\n  dynamic;\n}')
    assert format_record(verbatim) == verbatim.text
    assert format_record(Lease("10.0.0.1")) == format_lease(Lease("10.0.0.1"))
    record = FailoverStateRecord("fo", FailoverState.RECOVER, T)
    assert format_record(record) == format_failover_state(record)


def test_hardware_type_names() -> None:
    assert [hardware_type_name(t) for t in (1, 6, 8, 32, 0, 7, 255)] == [
        "ethernet", "token-ring", "fddi", "infiniband", "unknown-0", "unknown-7", "unknown-255",
    ]


def _varied_leases(seed: int, count: int) -> list[Lease]:
    """Leases with every kind of field, in states dhcpd keeps at start-up (they end in
    2036), on addresses of fixtures/inputs/fields.conf."""
    rng = random.Random(seed)
    addresses = rng.sample(range(10, 251), count)
    printable = string.ascii_letters + string.digits + " !#$%&'()*+,-./:;<=>?@[]^_`{|}~"

    def octets(low: int, high: int) -> bytes:
        return bytes(rng.randrange(256) for _ in range(rng.randint(low, high)))

    def text(low: int, high: int) -> str:
        return "".join(rng.choice(printable) for _ in range(rng.randint(low, high)))

    leases = []
    for address in addresses:
        state = rng.choice([BindingState.FREE, BindingState.ACTIVE, BindingState.ABANDONED])
        agent = [AgentOption("circuit-id", text(1, 10).encode()),
                 AgentOption("remote-id", octets(1, 10)),
                 AgentOption("agent-id", octets(4, 4)),
                 AgentOption("unknown-99", octets(1, 6))]
        leases.append(Lease(
            f"10.20.0.{address}", starts=T + rng.randrange(10**6), ends=ENDS, tstp=ENDS,
            cltt=rng.choice([None, T]), tsfp=rng.choice([None, T + 7]),
            atsfp=rng.choice([None, T + 9]), binding_state=state,
            next_binding_state=BindingState.FREE,
            reserved=rng.random() < 0.2, dynamic_bootp=rng.random() < 0.2,
            hardware=Hardware(rng.choice([1, 6, 8, 32, 0, 99]), octets(0, 16)),
            uid=rng.choice([None, octets(1, 30)]),
            bindings=tuple((f"v{i}", rng.choice([octets(0, 12), rng.randint(-(2**40), 2**40),
                                                 rng.random() < 0.5]))
                           for i in range(rng.randint(0, 4))),
            agent_options=tuple(rng.sample(agent, rng.randint(0, len(agent)))),
            client_hostname=rng.choice([None, text(1, 20).replace('"', "").replace("\\", "")
                                        or "h"]),
            on_expiry=rng.choice([None, '\n    set gone = "yes" ;\n  ']),
        ))
    return leases


@pytest.mark.isc
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dhcpd_reads_what_we_write_without_a_word_and_keeps_it(
    seed: int, tmp_path: Path, require_tool: Callable[[str], str],
) -> None:
    dhcpd = require_tool("dhcpd")
    ours = _varied_leases(seed, 60)
    leases = tmp_path / "dhcpd.leases"
    leases.write_text(format_file_header("leaseledger") + "".join(map(format_lease, ours)),
                      encoding="latin-1")
    # -T writes dhcpd's rewrite to dhcpd.leases.<time> and deletes it; a link at each
    # name it may use keeps the text (no socket is opened).
    now = int(time.time())
    for second in range(now - 2, now + 30):
        (tmp_path / f"dhcpd.leases.{second}").symlink_to(tmp_path / "rewrite")
    config = Path(__file__).parent / "fixtures" / "inputs" / "fields.conf"
    result = subprocess.run([dhcpd, "-4", "-T", "-cf", str(config), "-lf", str(leases)],
                            capture_output=True, encoding="latin-1", timeout=60, check=False)
    lines = result.stderr.split("\n")
    said = lines[next(i for i, line in enumerate(lines) if line.startswith("PID file:")) + 1 :]
    assert [line for line in said if line and not line.startswith(("Wrote ", "Lease file"))] == []
    kept = {r.ip: r for r in parse_lease_file((tmp_path / "rewrite").read_bytes()).records()
            if isinstance(r, Lease)}
    assert set(kept) == {lease.ip for lease in ours}
    for lease in ours:
        theirs = kept[lease.ip]
        assert (theirs.starts, theirs.ends, theirs.tstp, theirs.tsfp, theirs.atsfp,
                theirs.cltt) == (lease.starts, lease.ends, lease.tstp, lease.tsfp,
                                 lease.atsfp, lease.cltt)
        assert (theirs.binding_state, theirs.reserved, theirs.dynamic_bootp) == (
            lease.binding_state, lease.reserved, lease.dynamic_bootp)
        assert (theirs.hardware, theirs.uid, theirs.client_hostname) == (
            lease.hardware, lease.uid, lease.client_hostname)
        assert dict(theirs.bindings) == dict(lease.bindings)  # dhcpd reverses their order
        # A value written `""` (a lone NUL) reads back empty, and empty values are dropped.
        written = [(o.name, format_agent_value(o.name, o.data)) for o in lease.agent_options]
        assert [(o.name, format_agent_value(o.name, o.data)) for o in theirs.agent_options] == [
            (name, value) for name, value in written if value != '""']
        assert (theirs.on_expiry is None) == (lease.on_expiry is None)
