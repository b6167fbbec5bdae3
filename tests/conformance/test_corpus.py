"""leaseledger's verdicts on the shared corpus of real and broken dhcpd.conf files.

The corpus (`shared/corpus/conf/`, beside the repository) holds 80 real-world configs
and 20 deliberately broken ones, each with the verdict ISC dhcpd 4.4.3-P1 gave it in a
MANIFEST.tsv.  Three questions per file:

- does the manifest still say what the installed dhcpd says? (guards the corpus);
- do we accept exactly the files dhcpd accepts?
- for a rejected file, is our first error line dhcpd's, word for word?

The last two compare with the manifest, so they run where dhcpd is not installed.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from adapters.dhcpdconf.reader import ReadResult

REPO_ROOT = Path(__file__).resolve().parents[2]
# CI checks the shared folder out beside the clone, as it sits beside /work/main here.
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "conf"
CORPUS_FOLDERS = (CORPUS, CORPUS / "broken")

# File name -> why our first error line differs from dhcpd's.  At most 5% of the files
# dhcpd rejects may be listed (checked below).
KNOWN_FIRST_LINE_DIFFERENCES: dict[str, str] = {}


@dataclass(frozen=True)
class ManifestRow:
    """One file's recorded ISC verdict (see shared/corpus/README.md)."""

    path: Path
    verdict: str
    exit_code: int
    first_error: str | None

    @property
    def name(self) -> str:
        return self.path.name


def read_manifest(folder: Path) -> list[ManifestRow]:
    manifest = folder / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as rows:
        return [
            ManifestRow(
                path=folder / row["file"],
                verdict=row["isc_verdict"],
                exit_code=int(row["isc_exit"]),
                first_error=None if row["first_error"] == "-" else row["first_error"],
            )
            for row in csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


ROWS = [row for folder in CORPUS_FOLDERS for row in read_manifest(folder)]
REJECTED = [row for row in ROWS if row.verdict == "error"]


def by_name(row: ManifestRow) -> str:
    return row.name


def test_corpus_is_present(prerequisite_missing: Callable[[str], NoReturn]) -> None:
    if not ROWS:
        prerequisite_missing(f"the shared corpus is missing: no MANIFEST.tsv under {CORPUS}")
    assert len(REJECTED) > 0


@pytest.mark.parametrize("folder", CORPUS_FOLDERS, ids=lambda folder: folder.name)
def test_manifest_lists_every_file(
    folder: Path, prerequisite_missing: Callable[[str], NoReturn]
) -> None:
    if not folder.is_dir():
        prerequisite_missing(f"the shared corpus folder {folder} is missing")
    on_disk = {path.name for path in folder.glob("*.conf")}
    listed = {row.name for row in read_manifest(folder)}
    assert on_disk == listed


@pytest.mark.isc
@pytest.mark.parametrize("row", ROWS, ids=by_name)
def test_manifest_matches_live_dhcpd(row: ManifestRow, isc_check: Callable) -> None:
    live = isc_check(row.path)
    assert (live.verdict, live.exit_code, live.first_error) == (
        row.verdict,
        row.exit_code,
        row.first_error,
    ), live.stderr


@pytest.mark.parametrize("row", ROWS, ids=by_name)
def test_verdict_matches_isc(
    row: ManifestRow, read_as_dhcpd_runs: Callable[[Path], ReadResult]
) -> None:
    result = read_as_dhcpd_runs(row.path)
    ours = "ok" if result.ok else "error"
    assert ours == row.verdict, (
        f"dhcpd -t says {row.verdict} (first error {row.first_error!r}); "
        f"we say {ours} (first error {result.first_error()!r})"
    )


@pytest.mark.parametrize("row", REJECTED, ids=by_name)
def test_first_error_line_matches_isc(
    row: ManifestRow,
    read_as_dhcpd_runs: Callable[[Path], ReadResult],
    check_first_error_line: Callable[[str, ReadResult, str | None, Mapping[str, str]], None],
) -> None:
    check_first_error_line(
        row.name, read_as_dhcpd_runs(row.path), row.first_error, KNOWN_FIRST_LINE_DIFFERENCES
    )


def test_known_first_line_differences_stay_within_five_percent(
    check_known_differences_cap: Callable[[Mapping[str, str], Collection[str]], None],
) -> None:
    check_known_differences_cap(KNOWN_FIRST_LINE_DIFFERENCES, [row.name for row in REJECTED])
