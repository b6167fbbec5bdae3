"""The lab probe's command line: a bad setting is one line on stderr, never a traceback.
(Running the link itself is tests/lab/test_failover_link_with_isc.py.)"""

from __future__ import annotations

import pytest

from ops.failover_link_probe import main


def test_a_split_out_of_range_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["--name", "fo", "--role", "primary", "--address", "127.0.0.2",
                   "--peer-address", "127.0.0.3", "--mclt", "30", "--split", "300"])

    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("failover_link_probe: split: ")
    assert err.count("\n") == 1
    assert "split must be between 0 and 256" in err
    assert "Traceback" not in err


def test_a_missing_peer_address_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--name", "fo", "--role", "secondary", "--address", "127.0.0.3"])

    assert exit_info.value.code == 2
    assert "--peer-address" in capsys.readouterr().err
