"""OptionSpace tables behave like dhcpd's hash tables: newest entry wins, delete uncovers."""

from domain.options.definitions import Enumeration, OptionDef, OptionSpace


def test_a_newer_name_hides_the_older_one_until_it_is_deleted():
    space = OptionSpace("s")
    old = OptionDef("s", "foo", 1, "t")
    new = OptionDef("s", "FOO", 2, "I")
    space.add(old)
    space.add(new)
    assert space.by_name("foo") is new
    space.delete_name("Foo")
    assert space.by_name("foo") is old


def test_codes_and_names_are_separate_tables():
    space = OptionSpace("s")
    first = OptionDef("s", "a", 7, "t")
    space.add(first)
    space.delete_code(7)
    assert space.by_code(7) is None
    assert space.by_name("a") is first


def test_deleting_an_absent_entry_changes_nothing():
    space = OptionSpace("s")
    space.delete_name("nothing")
    space.delete_code(9)
    assert space.options() == []


def test_options_lists_visible_definitions_in_code_order():
    space = OptionSpace("s")
    b = OptionDef("s", "b", 2, "t")
    a = OptionDef("s", "a", 1, "t")
    space.add(b)
    space.add(a)
    assert space.options() == [a, b]


def test_enumeration_values_match_case_sensitively():
    enum = Enumeration("e", 1, (("none", 0), ("ad-hoc", 1)))
    assert enum.value_of("ad-hoc") == 1
    assert enum.value_of("AD-HOC") is None
    assert enum.name_of(0) == "none"
    assert enum.name_of(5) is None


def test_qualified_name():
    assert OptionDef("agent", "circuit-id", 1, "X").qualified_name == "agent.circuit-id"
