"""Which lease file and pid file the tools beside `serve` find (ops/server_files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops import server_files
from ops.server_files import (
    DEFAULT_LEASES,
    DEFAULT_PID,
    ConfigUnreadable,
    ServerFiles,
    config_for_paths,
    configured_files,
    load_config,
)

SUBNET = "subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.120; }\n"


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "dhcpd.conf"
    path.write_text(text)
    return str(path)


def test_without_a_configuration_the_files_are_dhcpds_defaults() -> None:
    assert configured_files(None) == ServerFiles(DEFAULT_LEASES, DEFAULT_PID)


def test_the_configuration_names_both_files(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'lease-file-name "/srv/dhcp/leases";\n'
                                         'pid-file-name "/run/dhcp/dhcpd.pid";\n' + SUBNET))
    assert configured_files(config) == ServerFiles("/srv/dhcp/leases", "/run/dhcp/dhcpd.pid")


def test_one_named_file_leaves_the_other_at_its_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'pid-file-name "/run/dhcp/dhcpd.pid";\n' + SUBNET))
    assert configured_files(config) == ServerFiles(DEFAULT_LEASES, "/run/dhcp/dhcpd.pid")


def test_dhcpds_default_configuration_is_passed_over_when_absent(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(server_files, "DEFAULT_CONF", str(tmp_path / "absent.conf"))
    assert config_for_paths(None) is None


def test_dhcpds_default_configuration_is_read_when_present(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(server_files, "DEFAULT_CONF",
                        write(tmp_path, 'lease-file-name "/srv/leases";\n' + SUBNET))
    assert configured_files(config_for_paths(None)).lease_file == "/srv/leases"


def test_a_named_configuration_must_exist(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        config_for_paths(str(tmp_path / "absent.conf"))


def test_an_unreadable_configuration_costs_a_warning_not_the_command(tmp_path, capsys) -> None:
    path = write(tmp_path, 'lease-file-name "/srv/leases"\n' + SUBNET)  # no semicolon

    assert config_for_paths(path) is None
    err = capsys.readouterr().err
    assert f"leaseledger: warning: {path}: configuration errors" in err
    assert err.rstrip().endswith("using the default file names")
    with pytest.raises(ConfigUnreadable, match="configuration errors"):
        load_config(path)
