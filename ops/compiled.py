"""The modules compiled with mypyc, and the rule that only a build matching them is used.

Our pair's speed is bound by the Python of the hot path (deciding a request, the
failover messages, the lease log's records), which is spread thinly over many modules:
no single function is worth rewriting, but compiling those modules with mypyc (the
compiler for type-annotated Python, mypy's own) takes about a sixth off the CPU of a
resynchronisation.  `ops/compile` builds them in place: next to `domain/lease.py`
lies `domain/lease.cpython-311-x86_64-linux-gnu.so`, which Python imports instead.

The danger is a build that no longer matches its source: an edited module, a `git
pull`, would silently run the old code.  So `ops/compile` records a digest of every
compiled source, and `use_current_build` (called by the `ops` package and the test
suite before anything compiled is imported) deletes the built modules when any source
differs; the pure-Python modules then run until the next `ops/compile`.  Everything
works without a compiler, only slower.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
STAMP = REPO_ROOT / "build" / "mypyc" / "compiled.json"
# The shared library all compiled modules load lies in this package: the editable
# install puts our packages on the path, not the repository's top level.
GROUP_NAME = "ops.native"

# The modules that run per request, per failover message and per lease-log record.
# Left out: the events and the lease-file store, whose classes derive from
# eventsourcing's or are derived from by them (a compiled class can do neither), the
# failover message dataclasses (mypyc takes their `message_type` class variable for a
# field), the lease-file lexer (it derives from the dhcpd.conf one) and the parsers
# that take it (lease_reader, binding_reader, statement_reader),
# the segment rotation (its tests put faults into its module's functions, which a
# compiled caller would not see), and the configuration (pydantic models).
COMPILED_MODULES: tuple[str, ...] = (
    "adapters/dhcp_wire/decode.py",
    "adapters/dhcp_wire/encode.py",
    "adapters/dhcp_wire/layout.py",
    "adapters/failover_wire/decode.py",
    "adapters/failover_wire/encode.py",
    "adapters/leasefile/address_versions.py",
    "adapters/leasefile/agent_options.py",
    "adapters/leasefile/agent_reader.py",
    "adapters/leasefile/aggregate_map.py",
    "adapters/leasefile/batch_framing.py",
    "adapters/leasefile/checkpoint.py",
    "adapters/leasefile/codec.py",
    "adapters/leasefile/dates.py",
    "adapters/leasefile/event_index.py",
    "adapters/leasefile/event_mapper.py",
    "adapters/leasefile/fast_reader.py",
    "adapters/leasefile/file_lock.py",
    "adapters/leasefile/history.py",
    "adapters/leasefile/index_keeper.py",
    "adapters/leasefile/isc_records.py",
    "adapters/leasefile/latest_state.py",
    "adapters/leasefile/lease_log.py",
    "adapters/leasefile/log_scan.py",
    "adapters/leasefile/persistence.py",
    "adapters/leasefile/quoting.py",
    "adapters/leasefile/reader.py",
    "adapters/leasefile/record_header.py",
    "adapters/leasefile/saved_index.py",
    "adapters/leasefile/store_errors.py",
    "adapters/leasefile/token_fields.py",
    "adapters/leasefile/writer.py",
    "domain/ack_lease.py",
    "domain/allocate_lease.py",
    "domain/classify.py",
    "domain/dhcp_bootp.py",
    "domain/dhcp_context.py",
    "domain/dhcp_decision.py",
    "domain/dhcp_discover.py",
    "domain/dhcp_inform.py",
    "domain/dhcp_nak.py",
    "domain/dhcp_packet.py",
    "domain/dhcp_release.py",
    "domain/dhcp_request.py",
    "domain/dhcp_server.py",
    "domain/eval_bytes.py",
    "domain/eval_context.py",
    "domain/evaluate.py",
    "domain/execute.py",
    "domain/failover/ack_lines.py",
    "domain/failover/binding_updates.py",
    "domain/failover/handshake.py",
    "domain/failover/machine.py",
    "domain/failover/partner.py",
    "domain/failover/pool_balance.py",
    "domain/failover/rules.py",
    "domain/failover/service_view.py",
    "domain/failover/session.py",
    "domain/failover/session_types.py",
    "domain/failover/states.py",
    "domain/failover/transitions.py",
    "domain/failover/update_queue.py",
    "domain/failover/update_watch.py",
    "domain/failover_dhcp.py",
    "domain/find_lease.py",
    "domain/incoming_options.py",
    "domain/interface_check.py",
    "domain/lease.py",
    "domain/lease_event_bodies.py",
    "domain/lease_lifecycle.py",
    "domain/lease_records.py",
    "domain/lease_times.py",
    "domain/option_resolution.py",
    "domain/options/definitions.py",
    "domain/options/dns_names.py",
    "domain/options/standard_tables.py",
    "domain/options/universes.py",
    "domain/options/value_text.py",
    "domain/posix_regex.py",
    "domain/reply_options.py",
    "domain/reply_packet.py",
    "domain/reply_route.py",
    "projections/addresses.py",
    "projections/billing_counts.py",
    "projections/expiry_queue.py",
    "projections/history.py",
    "projections/lease_table.py",
    "projections/lease_view.py",
    "projections/packed_lease.py",
    "projections/peer_backlog.py",
    "projections/pool_lists.py",
    "projections/relationship_view.py",
)


PACKAGES = ("domain", "adapters", "projections", "ops")


def built_files(root: Path = REPO_ROOT) -> list[Path]:
    """The extension modules a build put in the tree: one per compiled module, plus
    the shared library they all load.  Every extension module in our packages is
    ours, including one of a module since taken off the list (`ops/compile` removes
    them all before it builds)."""
    found: list[Path] = []
    for package in PACKAGES:
        found.extend((root / package).rglob("*.cpython-*.so"))
    return found


def remove_build(root: Path = REPO_ROOT) -> None:
    """Delete the built modules: the sources run (`ops/compile` before it builds)."""
    for path in built_files(root):
        path.unlink(missing_ok=True)


def source_digests(modules: Iterable[str], root: Path = REPO_ROOT) -> dict[str, str]:
    """sha256 of each module's source, by path.  (hashlib is imported here: every
    program's start checks the build, and only a changed file needs a digest.)"""
    import hashlib

    return {module: hashlib.sha256((root / module).read_bytes()).hexdigest()
            for module in modules}


def _stat_of(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


def write_stamp(modules: Iterable[str], root: Path = REPO_ROOT, stamp: Path = STAMP) -> None:
    """Record what a build that just succeeded was made from: each source's digest, and
    its size and modification time (a source that still has both is not read again at
    every start)."""
    modules = list(modules)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    record = {"suffix": EXTENSION_SUFFIXES[0], "sources": source_digests(modules, root),
              "stats": {module: _stat_of(root / module) for module in modules}}
    stamp.write_text(json.dumps(record, indent=1, sort_keys=True))


def stale_reason(root: Path = REPO_ROOT, stamp: Path = STAMP) -> str | None:
    """Why the build in the tree must not be used, or None when it matches its sources."""
    try:
        record = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return f"no record of the build ({stamp} unreadable)"
    if not isinstance(record, dict):
        return f"no record of the build ({stamp} holds something else)"
    sources, stats = record.get("sources"), record.get("stats")
    if (not isinstance(sources, dict) or not isinstance(stats, dict)
            or set(sources) != set(COMPILED_MODULES)):
        return "built from another list of modules"
    try:
        touched = [module for module in COMPILED_MODULES
                   if stats.get(module) != _stat_of(root / module)]
        now = source_digests(touched, root)
    except OSError as error:
        return f"a compiled module's source is unreadable ({error})"
    changed = sorted(module for module, digest in now.items() if sources[module] != digest)
    if changed:
        more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
        return f"{changed[0]}{more} changed since the build"
    return None


def built_for_this_python(stamp: Path = STAMP) -> bool:
    """Whether the recorded build's modules are ones this Python loads.  Another
    Python's build is not removed at start-up — that Python ignores it (a script
    started by the system's Python re-runs itself in the virtualenv) — but
    `ops/compile` builds again."""
    try:
        return bool(json.loads(stamp.read_text()).get("suffix") == EXTENSION_SUFFIXES[0])
    except (OSError, ValueError, AttributeError):
        return False


def use_current_build(root: Path = REPO_ROOT, stamp: Path = STAMP) -> str | None:
    """Delete the built modules unless they match their sources, so the sources run.

    Returns what was wrong (and was done about it), or None when there was no build
    or it is current.  Must run before any compiled module is imported: an extension
    already loaded stays loaded."""
    reason = stale_reason(root, stamp)
    if reason is None:
        return None
    built = built_files(root)
    if not built:
        return None
    for path in built:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise SystemExit(
                f"leaseledger: the compiled modules do not match the sources ({reason})"
                f" and {path} cannot be removed ({error}); run ops/compile, or remove"
                " the *.so files under the repository") from None
    return (f"compiled modules removed ({reason}); running the pure-Python ones until"
            " ops/compile builds them again")
