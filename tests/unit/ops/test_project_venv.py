"""The benchmarks' re-run under the project's virtualenv: only when it is elsewhere and
the virtualenv exists, with the same arguments."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ops import project_venv


def test_the_repository_is_the_folder_above_ops() -> None:
    assert (project_venv.REPO_ROOT / "ops" / "project_venv.py").is_file()
    assert project_venv.VENV == project_venv.REPO_ROOT / ".venv"


def test_a_script_run_by_another_python_is_run_again_by_the_virtualenvs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    calls: list[tuple[object, list[str]]] = []
    monkeypatch.setattr(project_venv, "VENV", venv)
    monkeypatch.setattr(project_venv.os, "execv", lambda path, argv: calls.append((path, argv)))
    monkeypatch.setattr(sys, "argv", ["./ops/bench/failover", "--part", "resync"])
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "elsewhere"))
    project_venv.run_in_project_venv()
    assert calls == [(venv / "bin" / "python",
                      [str(venv / "bin" / "python"), "./ops/bench/failover", "--part", "resync"])]


def test_nothing_happens_inside_the_virtualenv_or_without_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    venv = tmp_path / ".venv"
    calls: list[object] = []
    monkeypatch.setattr(project_venv, "VENV", venv)
    monkeypatch.setattr(project_venv.os, "execv", lambda *args: calls.append(args))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "elsewhere"))
    project_venv.run_in_project_venv()  # there is no virtualenv
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    monkeypatch.setattr(sys, "prefix", str(venv))
    project_venv.run_in_project_venv()  # it runs there already
    assert calls == []
