"""Hostile inputs of issue 11, each handled in a child process: time to the answer and peak RSS.

    .venv/bin/python bench/hostile_inputs.py [--line-mb 1024] [--bomb-mb 256]

Builds, in a scratch folder: a .docx whose 700-odd KB inflate to `--bomb-mb` MB of text; a
billion-laughs .docx; a CSV with one `--line-mb` MB line; JSON nested 100,000 deep; a CSV with an
unterminated quote. Each is then read the way the bot (documents) or `factdesk import` (archives)
reads it, in a fresh child process, and the table shows the answer, the seconds to it and the
child's peak RSS. Before the fixes these cost 1.35 GB RSS (256 MB bomb), 7.4 GB (1 GB line) or a
RecursionError traceback.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import resource
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(path: Path, write_document: Callable[[zipfile.ZipFile], None]) -> None:
    from docx import Document

    original = io.BytesIO()
    Document().save(original)
    with (
        zipfile.ZipFile(io.BytesIO(original.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename == "word/document.xml":
                write_document(target)
            else:
                target.writestr(item, source.read(item))


def make_bomb(path: Path, megabytes: int) -> None:
    def write(target: zipfile.ZipFile) -> None:
        with target.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b"<?xml version='1.0'?><w:document " + _W + b"><w:body><w:p><w:r><w:t>")
            block = b"a" * (1 << 20)
            for _ in range(megabytes):
                part.write(block)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")

    _docx(path, write)


def make_laughs(path: Path) -> None:
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{entities}]>'
        f"<w:document {_W.decode()}><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body>"
        "</w:document>"
    )
    _docx(path, lambda target: target.writestr("word/document.xml", xml))


def make_long_line(path: Path, megabytes: int) -> None:
    with path.open("w") as stream:
        stream.write("claim,verdict,source\nTaxes rose,False,https://fc.example/t\n")
        block = "x" * (1 << 20)
        for _ in range(megabytes):
            stream.write(block)
        stream.write(",False,https://fc.example/x\n")


def make_deep_json(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000)


def make_unterminated(path: Path) -> None:
    rows = [f"Claim {i} about jobs,False,https://fc.example/{i}" for i in range(1000)]
    rows[10] = '"' + rows[10]
    path.write_text("claim,verdict,source\n" + "\n".join(rows) + "\n")


def read_document(path: str) -> str:
    from domain.documents import DocumentError, document_text

    try:
        return f"{len(document_text(Path(path).read_bytes(), path, DOCX)):,} chars read"
    except DocumentError as error:
        return f"refused: {error}"


def read_archive(path: str) -> str:
    from domain.import_files import ImportFileError, Rejection, read_import_file

    try:
        items = list(read_import_file(Path(path)).rows())
    except ImportFileError as error:
        return f"refused: {error}"
    rejected = [item for item in items if isinstance(item, Rejection)]
    first = f"; {rejected[0].where}: {rejected[0].reason[:60]}…" if rejected else ""
    return f"{len(items) - len(rejected)} rows, {len(rejected)} rejected{first}"


def _child(work: Callable[[str], str], path: str, results: multiprocessing.Queue[object]) -> None:
    started = time.perf_counter()
    answer = work(path)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((answer, elapsed, peak_mb))


def measure(work: Callable[[str], str], path: Path) -> tuple[str, float, float]:
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[object] = context.Queue()
    child = context.Process(target=_child, args=(work, str(path), results))
    child.start()
    answer = results.get(timeout=600)
    child.join()
    assert isinstance(answer, tuple)
    text, seconds, peak = answer
    return str(text), float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--line-mb", type=int, default=1024)
    parser.add_argument("--bomb-mb", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        bomb_mb, line_mb = args.bomb_mb, args.line_mb
        cases: list[tuple[str, Callable[[Path], None], Callable[[str], str], str]] = [
            (
                f"docx bomb ({bomb_mb} MB of text)",
                lambda path: make_bomb(path, bomb_mb),
                read_document,
                "bomb.docx",
            ),
            ("billion-laughs docx", make_laughs, read_document, "laughs.docx"),
            (
                f"CSV with a {line_mb} MB line",
                lambda path: make_long_line(path, line_mb),
                read_archive,
                "line.csv",
            ),
            ("JSON nested 100,000 deep", make_deep_json, read_archive, "deep.json"),
            ("CSV, unterminated quote on line 12", make_unterminated, read_archive, "quote.csv"),
        ]
        print(f"{'input':38} {'file':>10} {'seconds':>8} {'peak RSS':>9}  answer")
        for label, make, work, name in cases:
            path = folder / name
            make(path)
            size = path.stat().st_size
            answer, seconds, peak = measure(work, path)
            shown = f"{size / 1024:,.0f} KB" if size < 10 << 20 else f"{size >> 20:,} MB"
            print(f"{label:38} {shown:>10} {seconds:8.2f} {peak:7.0f} MB  {answer[:90]}")
            path.unlink()


if __name__ == "__main__":
    main()
