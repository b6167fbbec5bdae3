"""reader.read_config: whole files, read as `dhcpd -t` reads them.

GOLDEN holds real `dhcpd -t` outputs (ISC 4.4.3-P1 on this machine, with the banner,
the Config/Database/PID lines and the bug-report trailer removed), one per error
listed in spec/dhcpd.md §2: our `output_lines()` must equal them line for line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.dhcpdconf.reader import ReadResult, read_config

# (file name without .conf, file text, dhcpd -t exit status was 0, dhcpd -t output)
GOLDEN: list[tuple[str, str, bool, tuple[str, ...]]] = [
    (
        "e02",
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.10 10.0.0.20\n}\n",
        False,
        (
            "e02.conf line 3: semicolon expected.",
            "}",
            " ^",
            "e02.conf line 3: unexpected end of file",
            "}",
            " ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e03",
        "default-lease-time 600\nmax-lease-time 7200;\n",
        False,
        (
            "e03.conf line 2: semicolon expected.",
            "max-lease-time ",
            " ^",
            "e03.conf line 2: expecting a parameter or declaration",
            "max-lease-time 7200;",
            "                    ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e04",
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  option routerz 10.0.0.1;\n}\n",
        False,
        (
            "e04.conf line 2: unknown option dhcp.routerz",
            "  option routerz 10.",
            "          ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e05",
        (
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.10 10.0.0.20;\n "
            " range 10.0.0.15 10.0.0.30;\n}\n"
        ),
        False,
        (
            "e05.conf line 3: lease 10.0.0.15 is declared twice!",
            "  range 10.0.0.15 10.0.0.30;",
            "                            ^",
            "e05.conf line 3: lease 10.0.0.16 is declared twice!",
            "  range 10.0.0.15 10.0.0.30;",
            "                            ^",
            "e05.conf line 3: lease 10.0.0.17 is declared twice!",
            "  range 10.0.0.15 10.0.0.30;",
            "                            ^",
            "e05.conf line 3: lease 10.0.0.18 is declared twice!",
            "  range 10.0.0.15 10.0.0.30;",
            "                            ^",
            "e05.conf line 3: lease 10.0.0.19 is declared twice!",
            "  range 10.0.0.15 10.0.0.30;",
            "                            ^",
            "e05.conf line 3: lease 10.0.0.20 is declared twice!",
            "  range 10.0.0.15 10.0.0.30;",
            "                            ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e06",
        (
            'subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    failover peer "fo'
            'o";\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n'
        ),
        False,
        (
            "e06.conf line 3: failover peer foo: not found",
            '    failover peer "foo"',
            "                   ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e08",
        "subnet 10.0.0.1 netmask 255.255.255.0 {\n}\n",
        False,
        (
            (
                "e08.conf line 1: subnet 10.0.0.1 netmask 255.255.255.0: bad subnet num"
                "ber/mask combination."
            ),
            "subnet 10.0.0.1 netmask 255.255.255.0 ",
            "                                    ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e10",
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  frobnicate 12;\n}\n",
        False,
        (
            "e10.conf line 2: semicolon expected.",
            "  frobnicate 12;",
            "              ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e11",
        'option domain-name "example.org;\n',
        False,
        (
            "e11.conf line 1: eof in string constant",
            'option domain-name "example.org;',
            "                    ^",
            "e11.conf line 1: semicolon expected.",
            "",
            "^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e13",
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.10 10.0.0.300;\n}\n",
        False,
        (
            "e13.conf line 2: 300 exceeds max (255) for precision.",
            "  range 10.0.0.10 10.0.0.300;",
            "                         ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e16",
        (
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    allow members of "
            '"nosuch";\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n'
        ),
        False,
        (
            "e16.conf line 3: no such class: nosuch",
            '    allow members of "nosuch"',
            "                      ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e17",
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    allow frobs clients;\n  }\n}\n",
        False,
        (
            "e17.conf line 3: expecting permit type.",
            "    allow frobs ",
            "           ^",
            "e17.conf line 4: Pool declaration with no address range.",
            "  }",
            "   ^",
            "Pool declarations must always contain at least",
            "one range statement.",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e18",
        "range 10.0.0.1 10.0.0.2;\npool { range 10.0.0.3; }\n",
        False,
        (
            "e18.conf line 1: range declaration not allowed here.",
            "range ",
            "^",
            "e18.conf line 2: pool declared outside of network",
            "pool ",
            " ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e19",
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n\trange\t10.0.0.10 10.0.0.20 junk;\n}\n",
        False,
        (
            "e19.conf line 2: semicolon expected.",
            "\trange\t10.0.0.10 10.0.0.20 junk;",
            "                                     ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e20",
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.10 10.0.1.20;\n}\n",
        False,
        ("bad range, address 10.0.1.20 not in subnet 10.0.0.0 netmask 255.255.255.0",),
    ),
    (
        "e21",
        (
            'failover peer "foo" {\n  primary;\n  address 10.0.0.1;\n  peer address 10'
            ".0.0.2;\n  mclt 600;\n  split 128;\n}\nsubnet 10.0.0.0 netmask 255.255.255"
            ".0 {\n  range 10.0.0.10 10.0.0.20;\n}\n"
        ),
        False,
        (
            (
                "ERROR: Failover peer, foo, has no referring pools. You must refer to e"
                "ach peer in at least one pool declaration."
            ),
            (
                "WARNING: load balancing will be disabled for failover peer, foo, becau"
                "se its load balance max secs is 0"
            ),
            "Failover configuration sanity check failed",
        ),
    ),
    (
        "e22",
        (
            'failover peer "foo" {\n  primary;\n  address 10.0.0.1;\n  peer address 10'
            ".0.0.2;\n  mclt 600;\n  split 128;\n  load balance max seconds 3;\n}\nsubne"
            't 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    failover peer "foo";\n '
            "   range dynamic-bootp 10.0.0.10 10.0.0.20;\n  }\n}\n"
        ),
        False,
        (
            "e22.conf line 12: dynamic-bootp flag is not permitted for address",
            "    range dynamic-bootp 10.0.0.10 10.0.0.20;",
            "                                            ^",
            "range declarations where there is a failover",
            "peer in scope.   If you wish to declare an",
            "address range from which dynamic bootp leases",
            "can be allocated, please declare it within a",
            'pool declaration that also contains the "no',
            'failover" statement.   The failover protocol',
            "itself does not permit dynamic bootp - this",
            "is not a limitation specific to the ISC DHCP",
            "server.   Please don't ask me to defend this",
            "until you have read and really tried to understand",
            "the failover protocol specification.",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e23",
        'option routers "gw";\n',
        False,
        (
            "e23.conf line 1: gw (262): expecting IP address or hostname",
            'option routers "gw"',
            "                ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e24",
        "ddns-update-style bogus;\n",
        False,
        (
            "e24.conf line 1: unknown value",
            "ddns-update-style bogus;",
            "                   ^",
            "e24.conf line 1: expecting a parameter or declaration",
            "ddns-update-style bogus;",
            "                        ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e25",
        (
            "host h1 {\n  authoritative;\n  hardware ethernet 00:11:22:33:44:55;\n  ha"
            "rdware ethernet 00:11:22:33:44:66;\n  fixed-address 10.0.0.5;\n  fixed-a"
            "ddress 10.0.0.6;\n}\n"
        ),
        False,
        (
            "e25.conf line 2: authority makes no sense here.",
            "  authoritative;",
            "   ^",
            "e25.conf line 4: Host h1 hardware address already configured.",
            "  hardware ",
            "   ^",
            "e25.conf line 4: expecting a parameter or declaration",
            "  hardware ethernet ",
            "   ^",
            "e25.conf line 6: Only one fixed address declaration per host.",
            "  fixed-address 10.0.0.6;",
            "                         ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e26",
        'subclass "nosuch" "x";\n',
        False,
        (
            "e26.conf line 1: no class named nosuch",
            'subclass "nosuch"',
            "          ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e27",
        "ddns-update-style ad-hoc;\n",
        False,
        ("ddns-update-style ad_hoc no longer supported",),
    ),
    (
        "e30",
        "default-lease-time abc;\n",
        False,
        (
            "e30.conf line 1: Bogus number abc: digit 10 not in base 10",
            "default-lease-time abc;",
            "                    ^",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e32",
        (
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  subnet 10.0.1.0 netmask 255."
            "255.255.0 { }\n  pool { pool { range 10.0.0.5; } }\n}\n"
        ),
        False,
        (
            "e32.conf line 2: subnet declarations not allowed here.",
            "  subnet ",
            "   ^",
            "e32.conf line 3: pool declared within pool.",
            "  pool { pool ",
            "          ^",
            "e32.conf line 3: Pool declaration with no address range.",
            "  pool { pool { range 10.0.0.5; } }",
            "                                   ^",
            "Pool declarations must always contain at least",
            "one range statement.",
            "Configuration file errors encountered -- exiting",
        ),
    ),
    (
        "e33",
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  host a { }\n}\n",
        True,
        (
            (
                "WARNING: Host declarations are global.  They are not limited to the sc"
                "ope you declared them in."
            ),
        ),
    ),
]


def _read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> ReadResult:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text, encoding="latin-1")
    return read_config(name)


@pytest.mark.parametrize(("name", "text", "ok", "expected"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_output_is_dhcpds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    text: str,
    ok: bool,
    expected: tuple[str, ...],
) -> None:
    result = _read(tmp_path, monkeypatch, f"{name}.conf", text)
    assert result.output_lines() == list(expected)
    assert result.ok is ok


def test_missing_include_is_fatal_with_dhcpds_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere" / "x.conf"
    result = _read(tmp_path, monkeypatch, "i.conf", f'include "{missing}";\n')
    assert result.fatal is not None
    assert result.output_lines() == [f"Can't open {missing}: No such file or directory"]
    assert result.first_error() == result.output_lines()[0]
    assert not result.ok


def test_missing_main_file_is_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = read_config("absent.conf")
    assert result.first_error() == "Can't open absent.conf: No such file or directory"


def test_include_of_a_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "d").mkdir()
    result = _read(tmp_path, monkeypatch, "i.conf", 'include "d";\n')
    assert result.first_error() == "Can't read in d: Is a directory"


def test_include_resolves_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.conf").write_text('include "sub/b.conf";\n')
    (sub / "b.conf").write_text("frobnicate 12;\n")
    result = _read(tmp_path, monkeypatch, "main.conf", 'include "sub/a.conf";\n')
    assert [line for line in result.output_lines() if " line " in line] == [
        "sub/b.conf line 1: semicolon expected.",
        "sub/a.conf line 1: sub/b.conf: bad parse.",
        "main.conf line 1: sub/a.conf: bad parse.",
    ]
    assert result.tree.files == ["main.conf", "sub/a.conf", "sub/b.conf"]


def test_self_include_ends_in_a_fatal_error_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _read(tmp_path, monkeypatch, "loop.conf", 'include "loop.conf";\n')
    assert result.fatal is not None
    assert result.first_error() == (
        "dhcpd 4.4.3-P1 crashes on this configuration: includes nested more than 64 deep "
        "(at loop.conf)"
    )


def test_first_error_skips_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  host a { }\n  range 10.0.0.5 10.0.1.5;\n}\n"
    result = _read(tmp_path, monkeypatch, "w.conf", text)
    assert result.output_lines()[0].startswith("WARNING: Host declarations are global.")
    assert result.first_error() == (
        "bad range, address 10.0.1.5 not in subnet 10.0.0.0 netmask 255.255.255.0"
    )


def test_an_accepted_file_has_no_first_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _read(tmp_path, monkeypatch, "ok.conf", "default-lease-time 600;\n")
    assert result.ok
    assert result.first_error() is None
    assert result.output_lines() == []


def test_postconf_runs_only_after_a_clean_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _read(tmp_path, monkeypatch, "p.conf", "ddns-update-style ad-hoc;\nfrobnicate 12;\n")
    assert result.output_lines()[-1] == "Configuration file errors encountered -- exiting"


def test_the_last_global_ddns_style_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "ddns-update-style ad-hoc;\nddns-update-style none;\n"
    assert _read(tmp_path, monkeypatch, "p.conf", text).ok
    scoped = "subnet 10.0.0.0 netmask 255.0.0.0 { ddns-update-style ad-hoc; }\n"
    assert _read(tmp_path, monkeypatch, "q.conf", scoped).ok


@pytest.mark.parametrize(
    "text",
    [b"\x00\xff\xfe{{{{", b"subnet" * 50, b"{" * 3000 + b"}" * 3000, b"group {" * 2000],
)
def test_garbage_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: bytes) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "g.conf").write_bytes(text)
    result = read_config("g.conf")
    assert not result.ok
    assert result.first_error() is not None
