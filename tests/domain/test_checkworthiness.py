"""What the shipped check-worthiness model rates high and low, as a reviewer would judge it."""

from __future__ import annotations

import pytest

from domain.checkworthiness import is_check_worthy, neutral_score


@pytest.mark.parametrize(
    "sentence",
    [
        "Unemployment fell to 3.9% in April, the lowest level since 2001.",
        "The city spent $4.2 million on the new stadium, according to budget records.",
        "Crime in Chicago doubled between 2019 and 2022.",
        "More than 1,800 firefighters were assigned to the blaze, Cal Fire said.",
        "The senator voted against the bill three times last year.",
        "China now produces more steel than the rest of the world combined.",
    ],
)
def test_figures_attributions_and_comparisons_are_check_worthy(sentence: str) -> None:
    assert is_check_worthy(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "It's impossible to predict what tomorrow is going to look like.",
        "I think this is the most exciting time to be an American.",
        "We will bring jobs back and we will make this country proud again.",
        "What are you going to do about it?",
        "Thank you all for coming tonight, it is wonderful to be here.",
        "I promise you that I will fight for every family in this state.",
    ],
)
def test_predictions_opinions_questions_and_promises_are_not(sentence: str) -> None:
    assert not is_check_worthy(sentence)


def test_neutral_signals_favour_figures_with_a_source() -> None:
    sourced = neutral_score("El paro bajó al 11 % en 2024, según el INE.", attributed=True)
    bare = neutral_score("Nos vemos el lunes en la plaza.")
    question = neutral_score("¿Cuántos empleos se crearon en 2024?")
    speculative = neutral_score("El Gobierno podría aprobar 500 millones el año que viene.")
    assert sourced > 0.5 > max(bare, question, speculative)


# --- the fine-tuned encoder (decides what the linear model is unsure of) -------------------------


def test_shipped_encoder_runs_from_the_package_and_separates_claims_from_talk() -> None:
    from domain.checkworthiness_encoder import get_scorer

    scorer = get_scorer()
    claims = [
        "Unemployment fell to 3.9% in April, the lowest level since 2001.",
        "I voted against the war in Iraq.",
        "Crime went up under his watch.",
    ]
    talk = [
        "Thank you all for coming tonight, it is wonderful to be here.",
        "We are going to win this election.",
        "I think this is the most exciting time to be an American.",
    ]
    scores = scorer.scores(claims + talk)
    assert min(scores[:3]) >= scorer.threshold > max(scores[3:])
