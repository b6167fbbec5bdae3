"""Hosts the lease file declares: made or deleted through OMAPI, served as dhcpd serves
them after a restart.

dhcpd keeps OMAPI's hosts in dhcpd.leases, not in dhcpd.conf: `host NAME { dynamic;
hardware …; fixed-address …; }` for one made, `host NAME { deleted; }` for one removed
(a configured one stays removed).  At start-up it reads them after the configuration,
in file order (server/confpars.c `parse_host_declaration`, server/mdb.c `enter_host`):
a deletion removes the host of that name, whichever made it; a new host whose name is
taken is refused with a warning.  A site moving from dhcpd keeps those reservations
only if they are served, so this server reads them the same way.

A dynamic host is a host declaration with `dynamic;` in it, which dhcpd.conf syntax
accepts; so the hosts that survive are read by the configuration parser itself, after
the configuration (as if included at its end), and get every statement they carry.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from adapters.dhcpdconf.reader import ReadResult, read_config
from adapters.dhcpdconf.to_model import build_config
from domain.config.declarations import HostConfig
from domain.config.model import DhcpConfig
from domain.lease import HostRecord

_HOST_NAME = re.compile(r'^host\s+(?:"(?:[^"\\]|\\.)*"|[^\s{]+)\s*\{')


@dataclass(frozen=True)
class LeaseFileHosts:
    """The configuration with the lease file's hosts applied, and what to log."""

    config: DhcpConfig
    info: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def apply_lease_file_hosts(config_path: str, config: DhcpConfig,
                           records: Sequence[tuple[HostRecord, str]], *,
                           workdir: str | None = None) -> LeaseFileHosts:
    """`config` (read from `config_path`) with `records` (the lease file's host
    records and their text, in file order) applied as dhcpd applies them.  `workdir`:
    where the configuration was first read (its relative `include`s are relative to
    it), when the process has since moved (a server in the background works from /)."""
    static = {host.name for host in config.hosts}
    deleted_static: set[str] = set()
    dynamic: dict[str, str] = {}
    errors: list[str] = []
    for record, text in records:
        name = record.name
        if record.deleted:
            if dynamic.pop(name, None) is None and name in static:
                deleted_static.add(name)
        elif name in dynamic or (name in static and name not in deleted_static):
            errors.append(f"host {name}: already exists")
        else:
            dynamic[name] = text
    info = _rewrite_lines(config, deleted_static - set(dynamic), dynamic)
    if not dynamic and not deleted_static:
        return LeaseFileHosts(config, info, tuple(errors))
    served, hosts = config, config.hosts
    if dynamic:
        read = _with_hosts(config_path, dynamic, workdir)
        if isinstance(read, str):
            return LeaseFileHosts(config, info, (*errors, read))
        served, hosts = read
    # A dynamic host may take the name of a configured one it deleted.
    hosts = tuple(host for host in hosts if host.name not in deleted_static
                  or (host.name in dynamic and host.where is None))
    fields = {name: getattr(served, name) for name in DhcpConfig.model_fields}
    fields.update(hosts=hosts, files=config.files)
    return LeaseFileHosts(DhcpConfig(**fields), info, tuple(errors))


def _with_hosts(config_path: str, texts: dict[str, str], workdir: str | None
                ) -> tuple[DhcpConfig, tuple[HostConfig, ...]] | str:
    """The configuration read again with the host declarations `texts` (by host name)
    after it, and its hosts; an error line instead when they do not read (the
    configuration alone did).  Each is read under a stand-in name, so one may reuse the
    name of a configured host it deleted, then given its own name back (and no source
    place: it is not in the configuration)."""
    stand_ins = {f"leaseledger-dynamic-host-{number}": name
                 for number, name in enumerate(texts)}
    declarations = [_HOST_NAME.sub(f"host {stand_in} {{", text, count=1)
                    for stand_in, text in zip(stand_ins, texts.values(), strict=True)]
    with tempfile.TemporaryDirectory(prefix="leaseledger-hosts-") as folder:
        combined = Path(folder) / "dhcpd.conf"
        include = config_path.replace("\\", "\\\\").replace('"', '\\"')
        combined.write_text(f'include "{include}";\n' + "".join(declarations),
                            encoding="latin-1")
        result = _read_in(workdir, str(combined))
        if not result.ok:
            first = result.first_error() or "unreadable"
            return f"the lease file's host records are not served: {first}"
        read = build_config(result.tree)
    hosts = tuple(host.model_copy(update={"name": stand_ins[host.name], "where": None})
                  if host.name in stand_ins else host for host in read.hosts)
    return read, hosts


def _read_in(workdir: str | None, path: str) -> ReadResult:
    """Read the configuration from `workdir` (synchronous: no other task of the server
    runs meanwhile, and its threads use absolute paths), then come back."""
    if workdir is None:
        return read_config(path)
    here = os.getcwd()
    os.chdir(workdir)
    try:
        return read_config(path)
    finally:
        os.chdir(here)


def _rewrite_lines(config: DhcpConfig, deleted_static: set[str],
                   dynamic: dict[str, str]) -> tuple[str, ...]:
    """dhcpd's lines for the hosts it writes into its new lease file at start-up, when
    it knows any host (the dynamic count is ISC's: it counts failed writes, 0)."""
    if not config.hosts and not dynamic and not deleted_static:
        return ()
    return (f"Wrote {len(deleted_static)} deleted host decls to leases file.",
            "Wrote 0 new dynamic host decls to leases file.")
