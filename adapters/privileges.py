"""Running as another user once the privileged work is done: dhcpd's `-user` and
`-group` (its PARANOIA build, which Debian's is).

dhcpd looks both names up as it reads its command line (`no such user: NAME`, `you
must be root to set user`), does everything that needs root — reads the files, binds
port 67 and the failover port, opens the ICMP socket, writes the pid file — and then
drops its supplementary groups, sets the group, then the user.  Files it makes later
(here: a rotated lease-log segment, its saved index) need a directory that user may
write, as dhcpd's hourly rewrite does.
"""

from __future__ import annotations

import grp
import os
import pwd
from dataclasses import dataclass


class PrivilegeError(Exception):
    """The user or group cannot be used; the text is dhcpd's line."""


@dataclass(frozen=True)
class RunAs:
    """Whom to become: None leaves the user (or group) as it is."""

    uid: int | None
    gid: int | None


def run_as(user: str | None, group: str | None) -> RunAs:
    """The ids of `user` and `group` (the user's own group when only `user` is given)."""
    uid = gid = None
    if user is not None:
        if os.geteuid():
            raise PrivilegeError("you must be root to set user")
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            raise PrivilegeError(f"no such user: {user}") from None
        uid = entry.pw_uid
        if group is None:
            gid = entry.pw_gid
    if group is not None:
        if os.geteuid():
            raise PrivilegeError("you must be root to set group")
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            raise PrivilegeError(f"no such group: {group}") from None
    return RunAs(uid, gid)


def become(target: RunAs) -> None:
    """Drop to `target` for good (every thread: glibc applies the ids process-wide)."""
    if target.gid is not None:
        try:
            os.setgroups([])
        except OSError as exc:
            raise PrivilegeError(f"setgroups: {exc.strerror}") from None
        try:
            os.setgid(target.gid)
        except OSError as exc:
            raise PrivilegeError(f"setgid({target.gid}): {exc.strerror}") from None
    if target.uid is not None:
        try:
            os.setuid(target.uid)
        except OSError as exc:
            raise PrivilegeError(f"setuid({target.uid}): {exc.strerror}") from None
