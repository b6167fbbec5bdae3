"""Option names, spaces and definitions: what gets registered, in ISC's format letters."""

import pytest

from adapters.dhcpdconf.option_definitions import (
    atoi,
    parse_option_code_definition,
    parse_option_name,
    parse_option_space_decl,
    signed_atoi,
)


def _define(ctx, lexer, text, name="x", space="dhcp"):
    cf = lexer(text)
    option, _ = parse_option_name(cf, ctx, True) if "." in name else (None, None)
    if option is None:
        cf = lexer(f"{name} {text}")
        option, _ = parse_option_name(cf, ctx, True)
    parse_option_code_definition(cf, ctx, option)
    return cf, ctx.options.lookup(space, name.split(".")[-1])


@pytest.mark.parametrize(
    ("type_text", "fmt"),
    [
        ("boolean", "f"),
        ("integer 8", "b"),
        ("signed integer 16", "s"),
        ("unsigned integer 32", "L"),
        ("ip-address", "I"),
        ("ip6-address", "6"),
        ("text", "t"),
        ("string", "X"),
        ("domain-name", "d"),
        ("domain-list", "D"),
        ("domain-list compressed", "Dc"),
        ("zerolen", "Z"),
        ("array of ip-address", "Ia"),
        ("array of { ip-address, integer 8 }", "IbA"),
        ("{ unsigned integer 8, array of ip-address }", "BIa"),
        ("{ ip-address, text }", "It"),
        ("encapsulate agent", "Eagent."),
        ("{ integer 8, encapsulate agent }", "bEagent."),
    ],
)
def test_definition_formats(ctx, lexer, type_text, fmt):
    cf, option = _define(ctx, lexer, f"200 = {type_text};")
    assert cf.diagnostics.reports == []
    assert option.code == 200
    assert option.format == fmt
    assert ctx.options.by_code("dhcp", 200) == option


def test_encapsulating_definition_becomes_the_spaces_parent(ctx, lexer):
    _define(ctx, lexer, "200 = encapsulate agent;")
    assert ctx.options.space("agent").encapsulated_by.code == 200


def test_new_code_hides_old_code_but_not_old_name(ctx, lexer):
    _define(ctx, lexer, "3 = text;", name="gateways")
    assert ctx.options.by_code("dhcp", 3).name == "gateways"
    assert ctx.options.lookup("dhcp", "routers").format == "IA"


def test_space_declaration_sizes(ctx, lexer):
    cf = lexer("space vendor-x code width 2 length width 2 hash size 50;")
    parse_option_space_decl(cf, ctx)
    space = ctx.options.space("VENDOR-X")
    assert (space.tag_size, space.length_size, space.end) == (2, 2, 0)


def test_space_declaration_stops_at_end_of_file(ctx, lexer):
    cf = lexer("space s code width 1")
    parse_option_space_decl(cf, ctx)
    assert cf.diagnostics.reports[-1].first_line == "t.conf line 1: Unexpected token."
    assert ctx.options.space("s") is None


def test_dotted_names_and_unknown_numbers(ctx, lexer):
    option, known = parse_option_name(lexer("agent.remote-id"), ctx, False)
    assert (option.code, known) == (2, True)
    option, known = parse_option_name(lexer("unknown-177"), ctx, False)
    assert (option.name, option.code, option.format, known) == ("unknown-177", 177, "X", True)
    option, known = parse_option_name(lexer("unknown-3"), ctx, False)
    assert option.name == "routers"


def test_allocating_an_unknown_name(ctx, lexer):
    option, known = parse_option_name(lexer("brand-new"), ctx, True)
    assert (option.universe, option.name, option.format, known) == ("dhcp", "brand-new", None,
                                                                     False)


def test_name_errors(ctx, lexer):
    cf = lexer("5;")
    assert parse_option_name(cf, ctx, False) == (None, False)
    assert cf.diagnostics.reports[0].first_line == (
        "t.conf line 1: expecting identifier after option keyword."
    )


def test_atoi_matches_c():
    assert atoi("42abc") == 42
    assert atoi("abc") == 0
    assert atoi("-1") == 0xFFFFFFFF
    assert signed_atoi("-1") == -1
    assert signed_atoi("99999999999999999999") == -1
