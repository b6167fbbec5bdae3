"""Only a build matching its sources is used: a changed source, a missing record or a
module taken off the list removes the built modules, so the sources run instead."""

from __future__ import annotations

import importlib
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from ops import compiled

SUFFIX = EXTENSION_SUFFIXES[0]  # .cpython-311-x86_64-linux-gnu.so
MODULES = ("domain/alpha.py", "projections/beta.py")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with two compiled modules, their build and its record."""
    monkeypatch.setattr(compiled, "COMPILED_MODULES", MODULES)
    for module in MODULES:
        source = tmp_path / module
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"# {module}\n")
        source.with_name(source.stem + SUFFIX).write_bytes(b"\x7fELF")
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / ("native__mypyc" + SUFFIX)).write_bytes(b"\x7fELF")
    compiled.write_stamp(MODULES, tmp_path, stamp_of(tmp_path))
    return tmp_path


def stamp_of(root: Path) -> Path:
    return root / "build" / "mypyc" / "compiled.json"


def test_a_build_is_the_modules_and_the_library_they_share(tree: Path) -> None:
    assert sorted(p.relative_to(tree).as_posix() for p in compiled.built_files(tree)) == [
        "domain/alpha" + SUFFIX, "ops/native__mypyc" + SUFFIX, "projections/beta" + SUFFIX]


def test_a_current_build_is_kept(tree: Path) -> None:
    assert compiled.stale_reason(tree, stamp_of(tree)) is None
    assert compiled.use_current_build(tree, stamp_of(tree)) is None
    assert len(compiled.built_files(tree)) == 3


def test_an_edited_source_removes_the_whole_build(tree: Path) -> None:
    (tree / "projections" / "beta.py").write_text("# edited\n")
    note = compiled.use_current_build(tree, stamp_of(tree))
    assert note is not None
    assert "projections/beta.py changed since the build" in note
    assert "ops/compile" in note
    assert compiled.built_files(tree) == []
    assert (tree / "projections" / "beta.py").exists()  # the sources stay, of course


@pytest.mark.parametrize("text", ["[1, 2]", '{"sources": {}', "null"])
def test_a_damaged_record_removes_the_build_and_is_no_crash(tree: Path, text: str) -> None:
    stamp_of(tree).write_text(text)
    note = compiled.use_current_build(tree, stamp_of(tree))
    assert note is not None and "no record of the build" in note
    assert compiled.built_files(tree) == []


def test_a_build_without_its_record_is_removed(tree: Path) -> None:
    stamp_of(tree).unlink()
    note = compiled.use_current_build(tree, stamp_of(tree))
    assert note is not None and "no record of the build" in note
    assert compiled.built_files(tree) == []


def test_a_changed_list_of_modules_removes_the_build(
    tree: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compiled, "COMPILED_MODULES", MODULES[:1])  # beta taken off
    assert compiled.stale_reason(tree, stamp_of(tree)) == "built from another list of modules"
    compiled.use_current_build(tree, stamp_of(tree))
    assert compiled.built_files(tree) == []  # beta's too: every extension in the packages


def test_a_source_touched_but_unchanged_keeps_the_build(tree: Path) -> None:
    source = tree / "domain" / "alpha.py"
    source.write_text(source.read_text())  # a new modification time, the same text
    assert compiled.stale_reason(tree, stamp_of(tree)) is None


def test_an_edit_that_keeps_the_size_is_still_seen(tree: Path) -> None:
    source = tree / "domain" / "alpha.py"
    source.write_text(source.read_text().replace("alpha", "ALPHA"))
    assert compiled.stale_reason(tree, stamp_of(tree)) == "domain/alpha.py changed since the build"


def test_no_build_no_action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled, "COMPILED_MODULES", MODULES)
    assert compiled.use_current_build(tmp_path, stamp_of(tmp_path)) is None


def test_a_stale_build_that_cannot_be_removed_stops_the_program(
    tree: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tree / "domain" / "alpha.py").write_text("# edited\n")

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refuse)
    with pytest.raises(SystemExit, match=r"do not match the sources .* cannot be removed"):
        compiled.use_current_build(tree, stamp_of(tree))


def test_the_build_is_for_the_python_that_recorded_it(tree: Path) -> None:
    assert compiled.built_for_this_python(stamp_of(tree))
    stamp_of(tree).write_text('{"suffix": ".cpython-312-x86_64-linux-gnu.so", "sources": {}}')
    assert not compiled.built_for_this_python(stamp_of(tree))
    stamp_of(tree).unlink()
    assert not compiled.built_for_this_python(stamp_of(tree))


def test_every_compiled_module_is_a_source_of_our_packages() -> None:
    assert len(set(compiled.COMPILED_MODULES)) == len(compiled.COMPILED_MODULES)
    for module in compiled.COMPILED_MODULES:
        assert (compiled.REPO_ROOT / module).is_file(), module
        assert module.split("/")[0] in compiled.PACKAGES


def test_these_tests_run_the_build_when_there_is_one() -> None:
    """The suite imports `ops` first (tests/conftest.py), so a build it finds is current
    and is what the tests exercise; without one (no compiler) the sources run."""
    lease = importlib.import_module("domain.lease")
    if compiled.built_files():
        assert compiled.stale_reason() is None
        assert lease.__file__ is not None and lease.__file__.endswith(SUFFIX)
    else:
        assert lease.__file__ is not None and lease.__file__.endswith(".py")


def test_removing_the_build_leaves_the_sources(tree: Path) -> None:
    compiled.remove_build(tree)
    assert compiled.built_files(tree) == []
    assert all((tree / module).is_file() for module in MODULES)
