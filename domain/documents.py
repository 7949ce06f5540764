"""Text out of the files reviewers send: plain text, Markdown, HTML, PDF and Word documents."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import PurePath

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
        import trafilatura  # 0.3 s to import: only for HTML

        return trafilatura.extract(_decode(content)) or ""
    if suffix in {".txt", ".md", ".text", ""} or mime.startswith("text/"):
        return _decode(content)
    raise DocumentError(f"I can read {SUPPORTED} files, not {suffix or mime or 'this file'}.")


def _decode(content: bytes) -> str:
    """UTF-8 first (most files), then Windows-1252 when it reads as Western European text, then
    charset-normalizer's best guess (Cyrillic, Greek, Central European, UTF-16 without a BOM).

    charset-normalizer alone misreads short French or Spanish exports as cp1250 or cp775
    ("baissé ŕ 7,1 %"), hence the Windows-1252 check before it. Text with NUL bytes left in it
    is a binary file, not an article.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _text_or_error(content.decode("utf-16", "replace"))
    try:
        return _text_or_error(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    western = _western_european(content)
    if western is not None:
        return western
    guesses = [str(match) for match in itertools.islice(from_bytes(content), 5)]
    plausible = [text for text in guesses if not _GLUED_SYMBOL_RE.search(text)]
    if not guesses:
        raise DocumentError("The file is not text I can decode.")
    return _text_or_error((plausible or guesses)[0])


def _text_or_error(text: str) -> str:
    if "\x00" in text:
        raise DocumentError("The file is not text I can decode.")
    return text


# Characters that Windows-1252 gives for the letters of other code pages (Polish "ł" reads "³",
# "ą" reads "¹"); next to a letter they mean the file is not Windows-1252.
_ODD_SYMBOLS = "¹²³¼½¾¶¦¨¯´¸¤¥ˆ˜‰‹›¬±"
_GLUED_SYMBOL_RE = re.compile(f"[A-Za-zÀ-ÿ][{_ODD_SYMBOLS}]|[{_ODD_SYMBOLS}][A-Za-zÀ-ÿ]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_LETTER_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_ACCENTED_RE = re.compile(r"[À-ÖØ-öø-ÿ]")


def _western_european(content: bytes) -> str | None:
    """The text as Windows-1252 (a superset of Latin-1's printable range), or None when the bytes
    do not look like it: undefined bytes, control characters, mostly accented letters (Cyrillic
    or Greek read as accents), or symbols glued to letters."""
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if _CONTROL_RE.search(text) or _GLUED_SYMBOL_RE.search(text):
        return None
    letters = len(_LETTER_RE.findall(text))
    if not letters or len(_ACCENTED_RE.findall(text)) > 0.3 * letters:
        return None
    return text


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
