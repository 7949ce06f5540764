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
import itertools
import re
import zipfile
from pathlib import PurePath

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
    """A file that is more than a few stray NULs is binary, not an article (stray ones are
    dropped later, as from every document)."""
    if text.count("\x00") > max(8, len(text) // 100):
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
