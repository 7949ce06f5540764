"""Preparing an import file's chunks ahead of the writer: order, scratch files, early exits."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from domain.import_files import read_import_file
from services.import_workers import ChunkPreparation


def _archive(path: Path, rows: int) -> Path:
    """Rows with a verdict word nobody knows on every line number divisible by 997."""
    lines = ["claim,verdict,source"]
    for line in range(2, rows + 2):
        verdict = "wibble" if line % 997 == 0 else "True"
        lines.append(f"Rents rose {line}% in town {line},{verdict},https://fc.example/{line}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_workers_hand_over_chunks_in_file_order(tmp_path: Path) -> None:
    source = read_import_file(_archive(tmp_path / "a.csv", 25_000))

    with ChunkPreparation(source, chunk_size=3_000, workers=2) as prepared:
        chunks = list(prepared)

    assert len(chunks) >= 8 and sum(c.records for c in chunks) == 25_000
    rejected = [r.where for c in chunks for r in c.rejected]
    assert rejected == [f"line {n}" for n in range(997, 25_002, 997)]
    assert not any(Path(c.path).exists() for c in chunks)  # the scratch folder went with the block


def test_leaving_early_stops_the_workers_and_removes_the_scratch_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    source = read_import_file(_archive(tmp_path / "a.csv", 25_000))

    with (
        pytest.raises(ValueError),
        ChunkPreparation(source, chunk_size=2_000, workers=2) as prepared,
    ):
        for chunk in prepared:
            assert Path(chunk.path).exists()
            raise ValueError("the writer failed")

    assert list(scratch.iterdir()) == []


def test_preparing_outside_a_with_block_is_refused(tmp_path: Path) -> None:
    source = read_import_file(_archive(tmp_path / "a.csv", 3))

    with pytest.raises(RuntimeError, match="with block"):
        list(ChunkPreparation(source))
