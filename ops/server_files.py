"""Where the server's files are, for the commands beside it (`leases`, `pools`, `audit`,
`ctl`).

`serve` takes dhcpd.conf's `lease-file-name` and `pid-file-name` over -lf and -pf, as
dhcpd does.  The tools an administrator runs next to it must find the same files, or
a site whose configuration names its own lease file audits an old or missing one, and
`ctl` looks for a control socket beside a pid file the server never wrote.  So each
tool reads the same configuration (`-cf`, by default dhcpd's) for those two names.

A tool's own `-lf`/`-pf` (and LEASELEDGER_LEASE_FILE) still win: pointing a read-only
tool at a copy of the log elsewhere is what they are for.  A configuration that is
absent (none given) is passed over; one that cannot be read costs a warning, not the
command: `ctl partner-down` must still work while the admin is mid-edit.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.config.model import DhcpConfig

DEFAULT_CONF = "/etc/dhcp/dhcpd.conf"
DEFAULT_LEASES = "/var/lib/dhcp/dhcpd.leases"
DEFAULT_PID = "/var/run/dhcpd.pid"
LEASE_FILE_VARIABLE = "LEASELEDGER_LEASE_FILE"


class ConfigUnreadable(Exception):
    """The configuration has errors; the message names the file and how to see them."""


def load_config(path: str) -> DhcpConfig:
    """The configuration at `path`, its errors printed to stderr as `check` prints them.
    Raises ConfigUnreadable (errors) or OSError (no such file)."""
    if not Path(path).exists():
        raise FileNotFoundError(2, "No such file or directory", path)
    result = read_config(path)
    if not result.ok:
        for line in result.output_lines():
            print(line, file=sys.stderr)
        raise ConfigUnreadable(f"{path}: configuration errors (see `leaseledger check -cf {path}`)")
    return build_config(result.tree)


@dataclass(frozen=True)
class ServerFiles:
    """The lease file and pid file `serve` would use with this configuration."""

    lease_file: str
    pid_file: str


def configured_files(config: DhcpConfig | None) -> ServerFiles:
    """The files `serve -cf` with `config` uses when given no -lf or -pf."""
    params = config.global_parameters if config is not None else None
    return ServerFiles(
        lease_file=(params and params.lease_file_name) or DEFAULT_LEASES,
        pid_file=(params and params.pid_file_name) or DEFAULT_PID,
    )


def config_for_paths(config_path: str | None) -> DhcpConfig | None:
    """The configuration to take the file names from: `config_path` if given (it must
    exist), else dhcpd's default if it exists.  An unreadable one is warned about on
    stderr and passed over (None)."""
    path = config_path or DEFAULT_CONF
    if config_path is None and not Path(path).exists():
        return None
    try:
        return load_config(path)
    except ConfigUnreadable as error:
        print(f"leaseledger: warning: {error}; using the default file names",
              file=sys.stderr)
        return None

