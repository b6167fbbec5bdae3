"""Top-level statements of a lease file read token by token, as lease_file_subparse does.

The last test runs the real dhcpd (`-T`, which opens no socket) on each snippet and
compares every message it prints while reading with ours.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.leasefile.reader import parse_lease_file
from adapters.leasefile.statement_reader import StatementRead, StatementReader
from domain.lease import (
    AuthoringByteOrder,
    ByteOrder,
    FailoverState,
    FailoverStateRecord,
    Hardware,
    HostRecord,
    Lease,
    ServerDuid,
    VerbatimRecord,
)

INPUTS = Path(__file__).parent / "fixtures" / "inputs"


def _read(text: str) -> StatementRead:
    return StatementReader(text, "f").read_statement(0)


def _first_lines(read: StatementRead) -> list[str]:
    return [d.lines[0] for d in read.diagnostics]


def test_failover_state_record() -> None:
    read = _read('failover peer "fo" state {\n  my state normal at 5 2026/11/27 17:00:00;\n'
                 "  partner state partner-down at never;\n  mclt 60;\n}\n")
    assert read.record == FailoverStateRecord("fo", FailoverState.NORMAL, 1795798800,
                                              FailoverState.PARTNER_DOWN, 0x7FFFFFFF, 60)
    assert read.complete
    assert read.diagnostics == ()


def test_failover_state_without_time_and_with_an_identifier_name() -> None:
    read = _read("failover peer fo state { my state recover-wait; }")
    assert read.record == FailoverStateRecord("fo", my_state=FailoverState.RECOVER_WAIT)


def test_a_failover_state_read_before_a_bad_line_is_kept() -> None:
    read = _read('failover peer "fo" state { my state paused at 5 2026/11/27 17:00:00; bogus; }')
    assert read.record == FailoverStateRecord("fo", FailoverState.PAUSED, 1795798800)
    assert _first_lines(read) == ["f line 1: expecting state setting."]


def test_a_failover_state_with_a_bad_date_is_not_taken() -> None:
    read = _read('failover peer "fo" state { my state normal at 5 2026/11/27; }')
    assert read.record == FailoverStateRecord("fo")
    assert _first_lines(read) == ["f line 1: numeric hour expected."]


def test_failover_record_errors() -> None:
    for text, message in (
        ("failover x;", 'f line 1: expecting "peer"'),
        ("failover peer ;", "f line 1: expecting failover peer name."),
        ('failover peer "fo" x;', "f line 1: expecting 'state'"),
        ('failover peer "fo" state x;', "f line 1: expecting left brace"),
        ('failover peer "fo" state { my x; }', "f line 1: expecting 'state'"),
        ('failover peer "fo" state { my state weird; }', "f line 1: unknown failover state"),
        ('failover peer "fo" state { my state normal on x; }', 'f line 1: expecting "at"'),
        ('failover peer "fo" state { mclt x; }', "f line 1: expecting a number."),
    ):
        assert _first_lines(_read(text))[0] == message, text


def test_hosts() -> None:
    read = _read('host omhost1 {\n  dynamic;\n  hardware ethernet 02:00:00:00:0e:01;\n'
                 '  uid "printable-id";\n  fixed-address 10.20.1.10, 10.20.1.11;\n'
                 '  group "gname";\n        supersede host-name = "omhost1";\n}\n')
    assert read.record == HostRecord(
        "omhost1", dynamic=True, hardware=Hardware(1, bytes.fromhex("020000000e01")),
        uid=b"printable-id", fixed_addresses=("10.20.1.10", "10.20.1.11"), group="gname",
        statements='\n        supersede host-name = "omhost1";',
    )
    assert _read("host gone {\n  dynamic;\n  deleted;\n}").record == HostRecord(
        "gone", dynamic=True, deleted=True)
    assert _read("host h { uid 01:02:ff; }").record == HostRecord("h", uid=b"\x01\x02\xff")


def test_host_errors() -> None:
    assert _first_lines(_read("host { dynamic; }")) == [
        "f line 1: expecting a name for host declaration."]
    read = _read('host h {\n  uid "a";\n  uid "b";\n}')
    assert read.record == HostRecord("h", uid=b"a")
    assert _first_lines(read) == ["f line 3: Host 'h' already has a uid '\"a\"'"]
    read = _read("host h {\n  hardware ethernet 00:01;\n  hardware ethernet 00:02;\n"
                 "  fixed-address 10.0.0.1;\n  fixed-address 10.0.0.2;\n}")
    assert read.record is not None
    assert read.record.fixed_addresses == ("10.0.0.1",)
    assert _first_lines(read) == ["f line 3: Host h hardware address already configured.",
                                  "f line 5: Only one fixed address declaration per host."]


def test_server_duid_and_byte_order() -> None:
    assert _read("server-duid 00:01:00:01:2c;").record == ServerDuid(b"\x00\x01\x00\x01\x2c")
    short = _read('server-duid "ab";')
    assert short.record is None
    assert _first_lines(short) == ["f line 1: Invalid duid contents"]
    assert _read("authoring-byte-order little-endian;").record == AuthoringByteOrder(
        ByteOrder.LITTLE_ENDIAN)
    big = _read("authoring-byte-order big-endian;")
    assert big.record == AuthoringByteOrder(ByteOrder.BIG_ENDIAN)
    assert _first_lines(big) == [
        "WARNING: Lease file authored using different byte order, will attempt to convert"]


def test_only_the_first_byte_order_counts() -> None:
    text = "authoring-byte-order little-endian;\nauthoring-byte-order little-endian;\n"
    reader = StatementReader(text, "f")
    reader.read_statement(0)
    second = reader.read_statement(text.index("authoring", 1))
    assert second.record is None
    assert second.diagnostics[0].lines[0] == (
        "f line 2: authoring-byte-order specified too late.\n"
        "It must occur before the first lease in file\n")


def test_class_subclass_and_group_records_are_kept_as_text() -> None:
    text = 'class "dyn" {\n  dynamic;\n  match if option host-name = "x";\n}\n'
    read = _read(text)
    assert read.record == VerbatimRecord("class", text[:-1])
    assert read.end == len(text) - 1
    assert _read('subclass "perrelay" "c";').record == VerbatimRecord(
        "subclass", 'subclass "perrelay" "c";')


def test_what_dhcpd_passes_over() -> None:
    read = _read("stray-word here;\nlease 10.0.0.1 { }")
    assert read.record is None
    assert read.end == len("stray-word here;")
    assert _first_lines(read) == ["Corrupt lease file - possible data loss!"]
    v6 = _read('ia-na "x" { y; }')
    assert v6.record is None
    assert _first_lines(v6) == ["f line 1: IA_NA is only supported in DHCPv6 mode."]
    dropped = _read("lease 10.0.0.1 { bogus; }")
    assert dropped.record is None
    assert _first_lines(dropped) == ["f line 1: Unexpected configuration directive.",
                                     "f line 1: possibly corrupt lease file"]


def test_timestamp_stops_dhcpd() -> None:
    read = _read("lease 10.0.0.1 {\n  timestamp 5 2026/11/27 17:00:00;\n}")
    assert read.record is None
    assert read.fatal is not None
    assert read.fatal.lines == ("Impossible error at confpars.c:3227.",)


def test_a_statement_cut_by_the_end_of_the_file_is_incomplete() -> None:
    read = _read("lease 10.0.0.1 {\n  starts 5 2026/11/27 17:00:00;\n")
    assert read.record == Lease("10.0.0.1", starts=1795798800)
    assert not read.complete


# Snippets whose every message was compared with dhcpd's while writing the reader; the
# comparison runs again below.  Each is read with the named config.
SNIPPETS = [
    ("fields.conf", "lease 10.20.0.50 {\n  starts 5 2026/11/27 17:00:00;\n"
     "  STARTS 5 2026/11/27 17:00:00;\n  next binding state free;\n  next binding state free;\n"
     '  uid "a";\n  uid "b";\n  class foo;\n  class bar;\n  billing class "limited";\n'
     '  billing class "limited";\n  ddns-fwd-name "a";\n  ddns-fwd-name "b";\n'
     "  abandoned;\n  binding state free;\n}\n"),
    ("fields.conf", "lease 10.20.0.50 {\n  binding state;\n}\n"),
    ("fields.conf", "lease 10.20.0.50 {\n  next binding state wrong;\n"
     "  ends 5 2026/11/27 17:00:00;\n}\n"),
    ("fields.conf", 'lease 10.20.0.50 {\n  client-hostname "x" junk;\n}\n'),
    ("fields.conf", 'lease 10.20.0.50 {\n  uid "x" junk;\n  ends 5 2026/11/27 17:00:00;\n}\n'),
    ("fields.conf", 'lease 10.20.0.50 {\n  billing subclass "perrelay" "circ-1";\n'
     '  billing subclass nope "x";\n  billing subclass "perrelay" ;\n'
     '  billing class "limited" junk;\n}\n'),
    ("fields.conf", 'lease 10.20.0.50 {\n  set = "x";\n  set a = %;\n}\n'),
    ("fields.conf", 'lease 10.20.0.50 {\n  set a = %5 junk;\n  set b = "x"\n'
     "  ends 5 2026/11/27 17:00:00;\n}\n"),
    ("fields.conf", "lease 10.20.0.50 {\n  on ;\n}\nlease 10.20.0.51 {\n  on expiry or { }\n}\n"),
    ("fields.conf", 'lease 10.20.0.50 {\n  on expiry { set a = "1"; '),
    ("fields.conf", "lease 10.20.0.50 {\n  starts 5 2026/11/27 17:00:00;\n  ends"),
    ("fields.conf", "lease 10.20"),
    ("fields.conf", "lease 10.20.0.50 {\n  hardware ethernet 00:01:02 00:01;\n}\n"),
    ("fields.conf", "lease 10.20.0.50 {\n  hardware unknown-state 00:01;\n"
     "  hardware ethernet 1ff:2;\n}\n"),
    ("fields.conf", "lease 10.20.0.50 {\n  starts 5 2026/11/27 17:00:00 x;\n"
     "  ends x 2026/11/27 17:00:00;\n  tstp 5 x/11/27 17:00:00;\n"
     "  tsfp 5 2026 11/27 17:00:00;\n  atsfp 5 2026/x/27 17:00:00;\n"
     "  cltt 5 2026/11 27 17:00:00;\n}\n"),
    ("fields.conf", "lease 10.20.0.50 {\n  starts 5 2026/11/x 17:00:00;\n"
     "  ends 5 2026/11/27 x:00:00;\n  tstp 5 2026/11/27 17 00:00;\n"
     "  tsfp 5 2026/11/27 17:x:00;\n  atsfp 5 2026/11/27 17:00 00;\n"
     "  cltt 5 2026/11/27 17:00:x;\n}\n"),
    ("fields.conf", "lease 10.20.0.50 {\n  starts epoch x;\n  ends epoch;\n  tstp never x;\n}\n"),
    ("fields.conf", 'lease 10.20.0.50 {\n  option "x";\n  option agent."x";\n'
     '  option agent.unknown-0 "x";\n  option agent.DOCSIS-device-class "x";\n'
     "  option agent.relay-port 5;\n  option nospace.foo 1;\n}\n"),
    ("fields.conf", 'host h1 {\n  dynamic;\n  uid "a";\n  uid "b";\n}\nhost h2 {\n  uid zz;\n}\n'),
    ("fields.conf", "host h4 {\n  deleted\n}\nhost h5 { dynamic;"),
    ("fields.conf", "server-duid 00:01;\nserver-duid 00:01:00:01:zz;\n"
     'server-duid "abc" junk;\nserver-duid ;\n'),
    ("fields.conf", "authoring-byte-order middle-endian;\n"
     "authoring-byte-order little-endian junk;\nauthoring-byte-order big-endian;\n"),
    ("fields.conf", 'ia-ta x { y; }\nia-pd z;\n}\n"string at top";\n'
     "lease 10.20.0.50 {\n  binding state active;\n} trailing;\n"),
    ("primary.conf", 'failover peer "fo" state {\n  my state normal at 5 2026/11/27 17:00:00;\n'
     "  partner state partner-down at never;\n}\n"),
    ("primary.conf", "failover peer fo state { my state recover; partner state shutdown at"
     " epoch 1795798800; # c\n}\n"),
    ("primary.conf", 'failover peer "fo" x;\nfailover peer "fo" state x;\n'
     'failover peer "fo" state { bogus; }\nfailover peer "fo" state { my x; }\n'),
    ("primary.conf", 'failover peer "fo" state { my state weird at 5 2026/11/27 17:00:00;'
     " partner state normal; }\n"
     'failover peer "fo" state { my state normal on 5 2026/11/27 17:00:00; }\n'
     'failover peer "fo" state { my state normal at 5 2026/11/27; partner state normal; }\n'),
    ("primary.conf", 'failover peer "fo" state {\n  my state normal at 5 2026/11/27 17:00:00;'),
]

# What dhcpd prints while loading that the codec leaves to its callers (they need the
# configuration or the pools), or that is not about the file (a C source position).
NOT_FROM_THE_CODEC = ("confpars.c(", "Lease with bogus binding state", "Unexpected hash function")


def _dhcpd_messages(dhcpd: str, config: Path, text: str, work: Path) -> list[str]:
    leases = work / "dhcpd.leases"
    leases.write_text(text, encoding="latin-1")
    # -T reads the files and writes its rewrite to a temporary file it deletes again.
    result = subprocess.run([dhcpd, "-4", "-T", "-cf", str(config), "-lf", str(leases)],
                            capture_output=True, encoding="latin-1", timeout=60, check=False)
    lines = result.stderr.replace(f"{work}/", "").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("PID file:")) + 1
    end = next((i for i, line in enumerate(lines) if line.startswith(("Wrote ", "Lease file"))),
               len(lines))
    return [line for line in lines[start:end] if not line.startswith(NOT_FROM_THE_CODEC)]


@pytest.mark.isc
@pytest.mark.parametrize(("config", "text"), SNIPPETS)
def test_messages_are_dhcpds(config: str, text: str, tmp_path: Path,
                             require_tool: Callable[[str], str]) -> None:
    dhcpd = require_tool("dhcpd")
    expected = _dhcpd_messages(dhcpd, INPUTS / config, text, tmp_path)
    parsed = parse_lease_file(text, "dhcpd.leases")
    ours = "\n".join(line for d in parsed.diagnostics for line in d.lines).split("\n")
    assert (ours if parsed.diagnostics else []) == expected
