"""Text out of the files reviewers send: plain text, Markdown, HTML, PDF and Word documents."""

from __future__ import annotations

import io
from pathlib import PurePath

import trafilatura
from charset_normalizer import from_bytes

MAX_DOCUMENT_BYTES = 20_000_000  # the Bot API's download limit for bots

SUPPORTED = ".txt, .md, .html, .pdf, .docx"


class DocumentError(ValueError):
    """A file that cannot be read as an article; the message is written for the reviewer."""


def document_text(content: bytes, file_name: str | None, mime_type: str | None) -> str:
    """The readable text of a document, chosen by its extension or MIME type."""
    suffix = PurePath(file_name or "").suffix.lower()
    mime = (mime_type or "").lower()
    if suffix == ".pdf" or mime == "application/pdf":
        return _pdf_text(content)
    if suffix == ".docx" or "wordprocessingml" in mime:
        return _docx_text(content)
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


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as error:
        raise DocumentError(f"The PDF could not be read ({error}).") from None


def _docx_text(content: bytes) -> str:
    import zipfile

    from docx import Document

    try:
        document = Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise DocumentError("The Word document could not be read.") from None
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())
