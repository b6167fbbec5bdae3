"""The option entry points the declaration parser calls (ISC common/parse.c).

`parse_option_name`, `parse_option_space_decl` and `parse_option_code_definition`
live in `option_definitions`, `parse_option_statement` in `option_values`; they are
gathered here so callers have one place to import option parsing from.
"""

from adapters.dhcpdconf.option_definitions import (
    parse_option_code_definition,
    parse_option_name,
    parse_option_space_decl,
)
from adapters.dhcpdconf.option_values import parse_option_statement

__all__ = [
    "parse_option_code_definition",
    "parse_option_name",
    "parse_option_space_decl",
    "parse_option_statement",
]
