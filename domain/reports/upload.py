"""Fitting an export under Telegram's upload limit: compress, then split; never cut.

Bots may upload documents of up to 50 MB. A larger export is zipped (text compresses ~5-10x);
a zip that is still too large is split into numbered pieces (`report.zip.001`, `.002`, …) that
`cat report.zip.* > report.zip` joins again.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

TELEGRAM_UPLOAD_LIMIT = 50 * 1000 * 1000
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class UploadPart:
    path: Path
    filename: str
    number: int
    of: int


def package_for_upload(
    path: Path, filename: str, *, limit: int = TELEGRAM_UPLOAD_LIMIT
) -> list[UploadPart]:
    """The file as one or more uploadable parts, each at most `limit` bytes."""
    if path.stat().st_size <= limit:
        return [UploadPart(path, filename, 1, 1)]
    zipped = path.with_name(path.name + ".zip")
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.write(path, arcname=filename)
    zip_name = f"{filename}.zip"
    size = zipped.stat().st_size
    if size <= limit:
        return [UploadPart(zipped, zip_name, 1, 1)]
    total = -(-size // limit)
    parts = []
    with zipped.open("rb") as source:
        for number in range(1, total + 1):
            piece = zipped.with_name(f"{zipped.name}.{number:03d}")
            remaining = limit
            with piece.open("wb") as target:
                while remaining:
                    chunk = source.read(min(_CHUNK, remaining))
                    if not chunk:
                        break
                    target.write(chunk)
                    remaining -= len(chunk)
            parts.append(UploadPart(piece, f"{zip_name}.{number:03d}", number, total))
    return parts
