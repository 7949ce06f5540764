"""Files reviewers send: hostile ones are refused quickly, in one sentence, with little memory."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from docx import Document

from domain.documents import DocumentError, document_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_with(document_xml: bytes | None = None, *, chunks: int = 0) -> bytes:
    """A real .docx whose word/document.xml is replaced (or padded with `chunks` MB of text)."""
    original = io.BytesIO()
    Document().save(original)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item))
                continue
            if document_xml is not None:
                target.writestr(item.filename, document_xml)
                continue
            with target.open(item.filename, "w", force_zip64=True) as part:
                part.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
                    b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
                )
                block = b"a" * 1_000_000
                for _ in range(chunks):
                    part.write(block)
                part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def _paragraphs_docx(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_ordinary_word_document_is_read() -> None:
    content = _paragraphs_docx("Unemployment fell to 3.9% in April.", "Prices rose 0.2%.")
    text = document_text(content, "report.docx", DOCX)
    assert text == "Unemployment fell to 3.9% in April.\n\nPrices rose 0.2%."


def test_a_zip_bomb_is_refused_quickly_with_little_memory() -> None:
    bomb = _docx_with(chunks=300)  # 300 MB of text in a few hundred KB
    assert len(bomb) < 1_000_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(DocumentError, match=r"zip bomb|far more") as refused:
            document_text(bomb, "bomb.docx", DOCX)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 20_000_000
    assert "\n" not in str(refused.value)


def test_text_longer_than_the_article_limit_is_refused() -> None:
    content = _paragraphs_docx("word " * 5_000)
    with pytest.raises(DocumentError, match="more than 10,000 characters"):
        document_text(content, "long.docx", DOCX, max_chars=10_000)
    assert len(document_text(content, "long.docx", DOCX, max_chars=30_000)) == len("word " * 5_000)


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""


def test_a_billion_laughs_document_is_refused() -> None:
    with pytest.raises(DocumentError, match="entity declarations"):
        document_text(_docx_with(BILLION_LAUGHS), "laughs.docx", DOCX)


def test_a_broken_archive_is_one_sentence() -> None:
    with pytest.raises(DocumentError, match="could not be read"):
        document_text(b"PK\x03\x04 not really a zip", "broken.docx", DOCX)


def test_nul_bytes_are_removed_from_text() -> None:
    assert document_text(b"Jobs rose\x00 by 175,000.", "note.txt", "text/plain") == (
        "Jobs rose by 175,000."
    )
