"""failover: peer blocks, references and the sanity check (messages checked against
the real dhcpd -t; spec/failover.md §12)."""

from __future__ import annotations

import pytest

from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.diagnostics import Diagnostics, FatalConfigError
from adapters.dhcpdconf.failover import failover_sanity_check, parse_failover_state
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.statement import conf_file_subparse
from domain.config.checks import hba_from_split

PRIMARY = 'failover peer "f" {\n primary;\n address 10.0.0.1;\n peer address 10.0.0.2;\n'


def read(text: str) -> ParseContext:
    ctx = ParseContext.new()
    conf_file_subparse(Lexer(text, "t.conf", ctx.diagnostics), ctx, ctx.tree.root, DeclKind.ROOT)
    return ctx


def errors(ctx: ParseContext) -> list[str]:
    return [d.first_line for d in ctx.diagnostics.errors]


def test_a_full_peer_block() -> None:
    ctx = read(
        PRIMARY + " port 7000; peer port 7001; max-response-delay 30; max-unacked-updates 10;\n"
        " mclt 1800; split 128; load balance max seconds 3; auto-partner-down 60;\n"
        " max-lease-misbalance 20; max-lease-ownership 5; min-balance 30; max-balance 600;\n"
        " peer max-response-delay 40; peer max-unacked-updates 50;\n}"
    )
    assert errors(ctx) == []
    peer = ctx.tree.failover_peers["f"]
    assert (peer.role, peer.address, peer.peer_address) == ("primary", "10.0.0.1", "10.0.0.2")
    assert (peer.port, peer.peer_port) == (7000, 7001)
    assert (peer.max_response_delay, peer.max_unacked_updates, peer.mclt) == (30, 10, 1800)
    assert (peer.split, peer.hba) == (128, hba_from_split(128))
    assert (peer.load_balance_max_seconds, peer.auto_partner_down) == (3, 60)
    assert (peer.max_lease_misbalance, peer.max_lease_ownership) == (20, 5)
    assert (peer.min_balance, peer.max_balance) == (30, 600)
    assert (peer.peer_max_response_delay, peer.peer_max_unacked_updates) == (40, 50)
    assert peer.where.line == 1


def test_defaults_replace_unset_and_zero_values() -> None:
    ctx = read(
        'failover peer "s" { secondary; peer address 10.0.0.1; port 0; max-lease-misbalance 0; }'
    )
    peer = ctx.tree.failover_peers["s"]
    assert (peer.port, peer.peer_port, peer.max_response_delay) == (647, 647, 20)
    assert (peer.max_unacked_updates, peer.max_lease_misbalance) == (100, 15)
    assert (peer.max_lease_ownership, peer.min_balance, peer.max_balance) == (10, 60, 3600)
    assert (peer.mclt, peer.hba, peer.load_balance_max_seconds) == (None, None, 0)


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        (PRIMARY + " split 128;\n}", ["t.conf line 6: primary failover server must have mclt."]),
        (
            PRIMARY + " mclt 5;\n}",
            ["t.conf line 6: primary failover server must have hba or split."],
        ),
        (
            'failover peer "f" {\n secondary;\n}',
            ["t.conf line 3: peer address may not be omitted"],
        ),
        (
            'failover peer "f" {\n secondary;\n peer address 1.2.3.4;\n split 128;\n}',
            ["t.conf line 4: secondary may not define load balance settings."],
        ),
        (
            PRIMARY + " mclt 5;\n split 300;\n}",
            [
                "t.conf line 6: split must be between 0 and 256, inclusive",
                "t.conf line 7: primary failover server must have hba or split.",
            ],
        ),
        (PRIMARY + " frob;\n}", ["t.conf line 5: invalid statement in peer declaration"]),
        (PRIMARY + " mclt x;\n}", ["t.conf line 5: expecting number."]),
        (PRIMARY + " hba 1:2:3;\n}", ["t.conf line 5: too few numbers."]),
        (
            PRIMARY + " load balance min;\n}",
            ["t.conf line 5: expecting 'max'", "t.conf line 6: semicolon expected."],
        ),
        (
            'failover peer "f";',
            ["t.conf line 1: failover peer reference not in shared-network declaration"],
        ),
        ('failover foo "f";', ['t.conf line 1: expecting "peer"']),
        ("failover peer { }", ["t.conf line 1: expecting failover peer name."]),
    ],
)
def test_peer_block_errors(text: str, messages: list[str]) -> None:
    assert errors(read(text)) == messages


def test_a_bad_statement_abandons_the_peer() -> None:
    ctx = read(PRIMARY + " frob;\n}")
    assert ctx.tree.failover_peers == {}


def test_redeclaration_and_state_blocks() -> None:
    ctx = read(
        'failover peer "f" { secondary; peer address 1.2.3.4; }\n'
        'failover peer "f" { secondary; }\n'
        'failover peer "f" state { my state normal; partner state recover at 4 2024/01/01 '
        "00:00:00; mclt 5; }\n"
        'failover peer "g" state { }'
    )
    assert errors(ctx) == [
        "t.conf line 2: redeclaration of failover peer f",
        "t.conf line 4: state declaration for unknown failover peer g",
        "t.conf line 4: expecting a parameter or declaration",
    ]
    assert ctx.tree.failover_peers["f"].mclt == 5


def test_shared_network_references() -> None:
    ctx = read(
        'failover peer "f" { secondary; peer address 1.2.3.4; }\n'
        'shared-network n {\n failover peer "f";\n failover peer "g";\n'
        " subnet 10.0.0.0 netmask 255.0.0.0 { }\n"
        ' failover peer "h" { secondary; peer address 1.2.3.5; }\n}'
    )
    assert errors(ctx) == ["t.conf line 4: reference to unknown failover peer g"]
    assert ctx.tree.shared_networks[0].failover_peer == "h"


def test_parse_failover_state() -> None:
    d = Diagnostics()
    cf = Lexer("normal; recover at 4 2024/01/01 00:00:00; bogus;", "t.conf", d)
    assert parse_failover_state(cf) == ("NORMAL", None)
    assert parse_failover_state(cf) == ("RECOVER", 1704067200)
    assert parse_failover_state(cf) is None
    assert [r.first_line for r in d.reports] == ["t.conf line 1: unknown failover state"]


def test_sanity_check_lists_peers_newest_first() -> None:
    ctx = read(
        'failover peer "a" { secondary; peer address 1.2.3.4; }\n'
        'failover peer "b" { secondary; peer address 1.2.3.5; load balance max seconds 3; }\n'
        'subnet 10.0.0.0 netmask 255.0.0.0 { pool { failover peer "b"; range 10.0.0.1; } }'
    )
    out = Diagnostics()
    with pytest.raises(FatalConfigError) as raised:
        failover_sanity_check(ctx, out)
    assert raised.value.lines == ("Failover configuration sanity check failed",)
    assert [(r.first_line[:30], r.is_error) for r in out.reports] == [
        ("ERROR: Failover peer, a, has n", True),
        ("WARNING: load balancing will b", False),
    ]


def test_a_peer_named_by_a_pool_passes() -> None:
    ctx = read(
        PRIMARY + " mclt 5;\n split 128;\n load balance max seconds 3;\n}\n"
        'subnet 10.0.0.0 netmask 255.0.0.0 { pool { failover peer "f"; range 10.0.0.1; } }'
    )
    out = Diagnostics()
    failover_sanity_check(ctx, out)
    assert out.reports == []
