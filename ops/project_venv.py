"""The project's virtualenv, for the scripts run as files (`./ops/bench/...`).

Such a script may be started by any Python (`sudo ./ops/bench/failover` runs the
system's); it re-runs itself with the virtualenv `./ops/test` makes, which holds the
pinned libraries.  Python starts a script with its own folder on the path, not the
repository's, so a script puts the repository there before importing this module.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV = REPO_ROOT / ".venv"


def run_in_project_venv() -> None:
    """Re-run the running script with the virtualenv's Python, same arguments, unless
    it runs there already or there is none (then it goes on as it is)."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() != VENV.resolve() and python.exists():
        os.execv(python, [str(python), *sys.argv])
