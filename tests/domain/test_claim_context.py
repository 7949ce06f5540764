"""Claims that stand on their own, with who made them, in the languages a desk reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.claim_context import claimant_of, standalone
from domain.extraction import ExtractedClaim, extract

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _wire() -> list[ExtractedClaim]:
    text = (FIXTURES / "abc_returns.txt").read_text(encoding="utf-8")
    return extract(text).claims


def _offered(sentence_start: str) -> ExtractedClaim:
    found = [c for c in _wire() if c.sentence.startswith(sentence_start)]
    assert found, f"not offered: {sentence_start}"
    return found[0]


# --- a wire article like the ones reviewers send --------------------------------------------------


def test_wire_article_offers_its_key_figures() -> None:
    joined = "\n".join(c.sentence for c in _wire())
    for figure in (
        "flew 47 Venezuelan migrants back to Caracas",
        "took back 31 adults and 16 children",
        "Six of the adults are now facing criminal charges",
        "1,542 removal flights since January, up 38%",
        "More than 7.7 million Venezuelans have left the country since 2014",
    ):
        assert figure in joined


def test_wire_article_offers_no_prediction_promise_or_opinion() -> None:
    joined = "\n".join(c.text for c in _wire())
    for speculation in (
        "impossible to predict",
        "going to keep doing this",
        "will announce new measures",
        "right thing to do",
        "welcome to our live coverage",
    ):
        assert speculation not in joined


def test_partitive_sentence_gets_its_antecedent_and_keeps_the_original() -> None:
    claim = _offered("Six of the adults")
    assert claim.text.startswith("Six of the adults [the US took back] are now facing criminal")
    assert claim.sentence.startswith("Six of the adults are now facing criminal charges")


def test_sentence_starting_with_it_is_offered_with_the_sentence_before() -> None:
    claim = _offered("It comes just days after")
    assert claim.text.startswith("Six of the adults are now facing criminal charges")
    assert claim.text.endswith("accept up to 200 deportees a week.")
    assert claim.sentence.startswith("It comes just days after the State Department said")


def test_claims_carry_their_claimant_and_paragraph() -> None:
    assert _offered("Border czar Tom Homan").claimant == "Border czar Tom Homan"
    assert _offered("Torres said at least 12").claimant == "Torres"
    assert _offered("More than 7.7 million").claimant == "the United Nations refugee agency"
    flew = _offered("The United States flew 47")
    assert flew.claimant == "the Department of Homeland Security"
    assert flew.paragraph.startswith("WASHINGTON -- The United States flew 47")


def test_claims_are_numbered_in_article_order() -> None:
    claims = _wire()
    assert [c.position for c in claims] == list(range(len(claims)))
    assert all(c.offered for c in claims)


# --- the rules on their own ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "claimant"),
    [
        ("Homan told ABC News that the flights would continue.", "Homan"),
        ('"We will win," said John Smith, a spokesman.', "John Smith"),
        ("Prices rose 3% in May, the statistics office said on Tuesday.", "the statistics office"),
        ("The ECB said on Tuesday that it would cut rates.", "The ECB"),
        ("Sales fell 4%, according to Eurostat.", "Eurostat"),
        ("A fire destroyed 42 homes, fire officials said.", "fire officials"),
        (
            "El paro bajó al 11 %, según el Instituto Nacional de Estadística.",
            "el Instituto Nacional de Estadística",
        ),
        ("Le chômage a baissé à 7,1 %, selon l'Insee.", "l'Insee"),
        ("Inflation fell to 2.1% in May.", None),
        ("Sales rose and costs fell, which analysts said was good.", None),
    ],
)
def test_claimant_is_who_the_sentence_quotes(sentence: str, claimant: str | None) -> None:
    assert claimant_of(sentence) == claimant


@pytest.mark.parametrize(
    ("sentence", "claimant"),
    [
        # "X said" closing the sentence: the subject of the sentence is what was reported on.
        (
            "The U.S. economy added 200,000 jobs in April, the Labor Department said on Friday.",
            "the Labor Department",
        ),
        (
            "The U.S. economy added 200,000 jobs in April, the Labor Department said.",
            "the Labor Department",
        ),
        ("Exports rose 4% in March, the ministry added.", "the ministry"),
        # "said X"
        (
            "The U.S. economy added 200,000 jobs in April, said the Labor Department.",
            "the Labor Department",
        ),
        ("Exports rose 4% in March, said Janet Yellen, the Treasury Secretary.", "Janet Yellen"),
        # "according to X"
        (
            "The U.S. economy added 200,000 jobs in April, according to the Labor Department.",
            "the Labor Department",
        ),
        # "X told ABC News"
        (
            "Unemployment fell to 3.9%, Labor Secretary Julie Su told ABC News.",
            "Labor Secretary Julie Su",
        ),
        ("Julie Su told ABC News on Sunday that 200,000 jobs were added.", "Julie Su"),
        ("The company reported that sales fell 3% in May.", "The company"),
        # "added", "reported", "posted", "claimed" also report figures and events: no speaker.
        ("The U.S. economy added 200,000 jobs in April.", None),
        ("The company reported a loss of $2 million in the first quarter.", None),
        ("The fire claimed 12 lives and destroyed 40 homes.", None),
    ],
)
def test_claimant_rules_say_who_spoke_not_what_was_reported(
    sentence: str, claimant: str | None
) -> None:
    assert claimant_of(sentence) == claimant


def test_he_said_names_the_previous_speaker() -> None:
    assert claimant_of("He said the fire had doubled.", previous_claimant="Anthony Marrone") == (
        "Anthony Marrone"
    )
    assert (
        standalone(
            "He said the fire had doubled in size.",
            "The fire grew fast, Anthony Marrone said.",
            previous_claimant="Anthony Marrone",
        )
        == "He [Anthony Marrone] said the fire had doubled in size."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "It's impossible to predict what tomorrow is going to look like.",
        "It is unclear whether the talks will resume.",
        "This year, prices rose 3%.",
        "The index rose 2% in May.",
    ],
)
def test_sentences_that_stand_alone_are_left_alone(sentence: str) -> None:
    assert standalone(sentence, "Inflation fell to 2.1% in May.") == sentence


# --- other languages ----------------------------------------------------------------------------

SPANISH = "\n".join(
    [
        "La inflación baja al 2,4 % en octubre",
        "Por Ana García",
        "MADRID — La inflación en España bajó al 2,4 % en octubre, dos décimas menos que en "
        "septiembre, según el Instituto Nacional de Estadística.",
        "El paro registrado cayó en 27.000 personas, hasta 2,56 millones, informó el Ministerio "
        "de Trabajo.",
        "¿Qué pasará con los precios en Navidad?",
        "El Gobierno aprobó el martes un plan de 500 millones de euros para la vivienda, dijo la "
        "ministra Isabel Rodríguez.",
        "Los economistas creen que la situación podría mejorar el año que viene.",
        "Me parece una buena noticia para todos.",
    ]
)

FRENCH = """Le chômage recule en France
Le taux de chômage en France a baissé à 7,1 % au troisième trimestre, selon l'Insee.
Le nombre de demandeurs d'emploi a diminué de 40 000 en un an, a indiqué Pôle emploi jeudi.
Le gouvernement pourrait annoncer de nouvelles mesures à la rentrée.
"""


def test_spanish_article_gets_claims_and_a_language_note() -> None:
    result = extract(SPANISH)
    assert result.language == "es"
    assert result.fallback
    joined = "\n".join(c.text for c in result.claims)
    assert "La inflación en España bajó al 2,4 % en octubre" in joined
    assert "El paro registrado cayó en 27.000 personas" in joined
    assert "500 millones de euros" in joined
    assert "¿Qué pasará" not in joined
    assert "podría mejorar" not in joined
    assert "Me parece" not in joined
    assert result.claims[0].claimant == "el Instituto Nacional de Estadística"


def test_french_article_is_recognised_and_scored_by_neutral_signals() -> None:
    result = extract(FRENCH)
    assert (result.language, result.fallback) == ("fr", True)
    joined = "\n".join(c.text for c in result.claims)
    assert "a baissé à 7,1 %" in joined
    assert "diminué de 40 000" in joined
    assert "pourrait annoncer" not in joined


def test_english_article_uses_the_trained_model() -> None:
    text = (FIXTURES / "reuters_inflation.txt").read_text(encoding="utf-8")
    result = extract(text)
    assert (result.language, result.fallback) == ("en", False)
