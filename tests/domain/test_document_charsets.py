"""Text files in legacy code pages read as the reviewer wrote them."""

from __future__ import annotations

import pytest

from domain.documents import DocumentError, document_text

FRENCH = (
    "Le chômage en France a baissé à 7,1 % au troisième trimestre, selon l'Insee.\n"
    "Le ministre de l'Économie a déclaré jeudi que la croissance atteindrait 1,2 % "
    "l'année prochaine, « un résultat supérieur aux prévisions »."
)
SPANISH = (
    "La inflación en España subió al 3,2 % en octubre, según el Instituto Nacional de "
    "Estadística.\n¿Cuánto costará la reconstrucción? El Gobierno aprobó el martes un plan "
    "de 500 millones de euros, señaló la ministra."
)
GERMAN = (
    "Die Arbeitslosigkeit in Deutschland ist im Oktober auf 6,1 Prozent gestiegen, teilte "
    "die Bundesagentur für Arbeit in Nürnberg mit.\nFür Straßen und Brücken plant die "
    "Bundesregierung Ausgaben von 20 Milliarden Euro."
)


@pytest.mark.parametrize("text", [FRENCH, SPANISH, GERMAN], ids=["fr", "es", "de"])
@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8", "utf-16"])
def test_western_european_text_reads_right_in_any_common_encoding(text: str, encoding: str) -> None:
    assert document_text(text.encode(encoding), "article.txt", "text/plain") == text


def test_a_short_latin1_french_line_is_not_read_as_a_baltic_code_page() -> None:
    line = "Le chômage en France a baissé à 7,1 %"
    assert document_text(line.encode("latin-1"), "note.txt", None) == line


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Безработица в России снизилась до 2,4 процента в октябре, сообщил Росстат.", "cp1251"),
        ("Bezrobocie w Polsce spadło do 5,0 proc. w październiku, podał GUS.", "cp1250"),
    ],
    ids=["ru-cp1251", "pl-cp1250"],
)
def test_other_code_pages_are_still_detected(text: str, encoding: str) -> None:
    assert document_text(text.encode(encoding), "article.txt", None) == text


@pytest.mark.parametrize(
    "content",
    [b"\x7fELF\x02\x01\x01" + bytes(4000), b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8],
    ids=["elf", "png"],
)
def test_a_binary_file_named_txt_is_refused(content: bytes) -> None:
    with pytest.raises(DocumentError, match="not text"):
        document_text(content, "article.txt", None)
