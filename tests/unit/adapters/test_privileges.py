"""`-user`/`-group` lookups with dhcpd's lines, and the drop itself (a no-op when
neither was given).  The drop to another user runs in the lab test
(tests/lab/test_serve_privileges.py): it cannot be undone inside pytest."""

from __future__ import annotations

import os

import pytest

from adapters.privileges import PrivilegeError, RunAs, become, run_as


def test_nothing_asked_changes_nothing() -> None:
    assert run_as(None, None) == RunAs(None, None)
    before = (os.getuid(), os.getgid(), os.getgroups())
    become(RunAs(None, None))
    assert (os.getuid(), os.getgid(), os.getgroups()) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="looking up a user to become needs root")
def test_a_user_brings_its_own_group_unless_one_is_named() -> None:
    assert run_as("nobody", None) == RunAs(65534, 65534)
    assert run_as("nobody", "root") == RunAs(65534, 0)
    assert run_as(None, "nogroup") == RunAs(None, 65534)


@pytest.mark.skipif(os.geteuid() != 0, reason="dhcpd checks root first")
@pytest.mark.parametrize(("user", "group", "line"), [
    ("no-such-user-here", None, "no such user: no-such-user-here"),
    ("nobody", "no-such-group-here", "no such group: no-such-group-here"),
])
def test_unknown_names_give_dhcpds_lines(user: str, group: str | None, line: str) -> None:
    with pytest.raises(PrivilegeError) as refused:
        run_as(user, group)
    assert str(refused.value) == line


@pytest.mark.skipif(os.geteuid() == 0, reason="only a non-root caller is refused")
def test_only_root_may_name_a_user() -> None:
    with pytest.raises(PrivilegeError, match="you must be root to set user"):
        run_as("nobody", None)
