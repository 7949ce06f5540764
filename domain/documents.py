"""Text out of the files reviewers send: plain text, Markdown, HTML, PDF and Word documents.

A .docx is a zip archive and a PDF holds compressed streams, so a small upload can inflate to
gigabytes ("zip bomb"). Word documents are inspected before anything is unpacked: entry count,
declared sizes and compression ratio are capped (zipfile never inflates an entry past its declared
size), and an XML part with a document type declaration, which Office never writes, is refused
(no entity expansion, "billion laughs"). The text of either kind is capped at the article limit
(`FACTDESK_MAX_ARTICLE_CHARS`). NUL characters are removed from every kind of text: PostgreSQL
cannot store them and they carry nothing a reviewer reads.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

import trafilatura
from charset_normalizer import from_bytes

MAX_DOCUMENT_BYTES = 20_000_000  # the Bot API's download limit for bots

SUPPORTED = ".txt, .md, .html, .pdf, .docx"

DEFAULT_MAX_CHARS = 200_000  # FACTDESK_MAX_ARTICLE_CHARS's default
MAX_ZIP_ENTRIES = 1_000
MAX_ZIP_RATIO = 100  # Word's XML compresses about 5-20 times; 100 leaves room, a bomb is 1000+
MAX_UNPACKED_BYTES = 100_000_000  # all parts, pictures included (python-docx loads every part)
XML_BYTES_PER_CHAR = 40  # markup around each character of text in a heavily formatted document
_MIN_XML_BUDGET = 10_000_000
_PROLOG_BYTES = 65_536
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)


class DocumentError(ValueError):
    """A file that cannot be read as an article; the message is written for the reviewer."""


def document_text(
    content: bytes,
    file_name: str | None,
    mime_type: str | None,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> str:
    """The readable text of a document, chosen by its extension or MIME type, without NULs."""
    return _text_of(content, file_name, mime_type, max_chars).replace("\x00", "")


def _text_of(content: bytes, file_name: str | None, mime_type: str | None, max_chars: int) -> str:
    suffix = PurePath(file_name or "").suffix.lower()
    mime = (mime_type or "").lower()
    if suffix == ".pdf" or mime == "application/pdf":
        return _capped(_pdf_text(content, max_chars), max_chars)
    if suffix == ".docx" or "wordprocessingml" in mime:
        return _capped(_docx_text(content, max_chars), max_chars)
    if suffix in {".html", ".htm"} or mime in {"text/html", "application/xhtml+xml"}:
        return trafilatura.extract(_decode(content)) or ""
    if suffix in {".txt", ".md", ".text", ""} or mime.startswith("text/"):
        return _decode(content)
    raise DocumentError(f"I can read {SUPPORTED} files, not {suffix or mime or 'this file'}.")


def _decode(content: bytes) -> str:
    """UTF-8 first (most files), then the best guess, so Windows-1252 exports read too."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(content).best()
        if best is None:
            raise DocumentError("The file is not text I can decode.") from None
        return str(best)


def _capped(text: str, max_chars: int) -> str:
    if len(text) > max_chars:
        raise DocumentError(_too_long(max_chars))
    return text


def _too_long(max_chars: int) -> str:
    return (
        f"The document holds more than {max_chars:,} characters of text, more than I read "
        "as one article; send the part you want checked."
    )


def _pdf_text(content: bytes, max_chars: int) -> str:
    """Page by page, stopping as soon as the text passes the limit (pypdf caps each stream)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    pages: list[str] = []
    size = 0
    try:
        reader = PdfReader(io.BytesIO(content))
        for page in reader.pages:
            text = page.extract_text() or ""
            size += len(text) + 2
            if size > max_chars + 2:
                raise DocumentError(_too_long(max_chars))
            pages.append(text)
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError) as error:
        raise DocumentError(f"The PDF could not be read ({error}).") from None
    return "\n\n".join(pages)


def _docx_text(content: bytes, max_chars: int) -> str:
    from docx import Document
    from lxml.etree import LxmlError  # type: ignore[import-untyped]

    _check_docx_archive(content, max_chars)
    try:
        document = Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError, LxmlError):
        raise DocumentError("The Word document could not be read.") from None
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())


def _check_docx_archive(content: bytes, max_chars: int) -> None:
    """Refuse a .docx that would unpack to far more than an article, before unpacking it."""
    unreadable = "The Word document could not be read."
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise DocumentError(unreadable) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise DocumentError(
                f"The Word document has more than {MAX_ZIP_ENTRIES:,} parts; I do not open it."
            )
        xml_budget = max(_MIN_XML_BUDGET, XML_BYTES_PER_CHAR * max_chars)
        total = xml_total = 0
        for entry in entries:
            total += entry.file_size
            if entry.file_size > 1_000_000 and entry.file_size > MAX_ZIP_RATIO * max(
                entry.compress_size, 1
            ):
                raise DocumentError(
                    "The Word document is compressed far more tightly than real documents are "
                    "(a zip bomb?); I do not open it."
                )
            if entry.filename.endswith((".xml", ".rels")):
                xml_total += entry.file_size
                try:
                    with archive.open(entry) as part:
                        head = part.read(_PROLOG_BYTES)
                except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError):
                    raise DocumentError(unreadable) from None
                if _declares_doctype(head):
                    raise DocumentError(
                        "The Word document contains XML entity declarations, which Word never "
                        "writes; I do not open it."
                    )
        if total > MAX_UNPACKED_BYTES or xml_total > xml_budget:
            raise DocumentError(
                "The Word document unpacks to far more than an article's text; I do not open it."
            )


def _declares_doctype(head: bytes) -> bool:
    """Whether an XML part's prolog has a DOCTYPE (or is too long to tell: treated as one)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    prolog = _PROLOG.match(head)
    rest = head[prolog.end() if prolog else 0 :]
    return rest.startswith(b"<!") or (not rest and len(head) >= _PROLOG_BYTES)
