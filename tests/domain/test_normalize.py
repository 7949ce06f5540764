"""normalize_claim: the canonical form must merge surface variants and keep meaning apart."""

from __future__ import annotations

import pytest

from domain.normalize import normalize_claim


@pytest.mark.parametrize(
    "variant",
    ["8,000 jobs", "8000 jobs", "8 000 jobs", "8k jobs", "8 thousand jobs", "eight thousand jobs"],
)
def test_thousands_written_any_way_are_one_figure(variant: str) -> None:
    assert normalize_claim(variant) == "8000 jobs"


@pytest.mark.parametrize("variant", ["11%", "11 percent", "11 per cent", "11 pct", "11.0%"])
def test_percent_spellings_are_one_form(variant: str) -> None:
    assert normalize_claim(f"Inflation hit {variant}") == "inflation hit 11 percent"


def test_millions_expand_to_the_same_figure_as_digits() -> None:
    assert normalize_claim("1.5 million voters") == normalize_claim("1,500,000 voters")
    assert normalize_claim("a million voters") == normalize_claim("1,000,000 voters")
    assert normalize_claim("$2.5bn") == "2500000000 dollars"


def test_different_magnitudes_stay_different() -> None:
    assert normalize_claim("70,000 migrants") == "70000 migrants"
    assert normalize_claim("7,000 migrants") == "7000 migrants"


def test_currency_symbols_and_words_agree() -> None:
    assert normalize_claim("$5") == normalize_claim("5 dollars") == "5 dollars"
    assert normalize_claim("US$5") == "5 dollars"
    assert normalize_claim("£3bn") == "3000000000 pounds"
    assert normalize_claim("€20") == "20 euros"


def test_small_number_words_become_digits() -> None:
    assert normalize_claim("Eight people died") == normalize_claim("8 people died")
    assert normalize_claim("twenty-five states") == "25 states"


def test_figures_glued_to_words_are_left_alone() -> None:
    assert normalize_claim("5G masts spread COVID-19") == "5g masts spread covid 19"
    assert normalize_claim("the 1st amendment") == "the 1st amendment"


@pytest.mark.parametrize(
    "variant",
    ["US", "U.S.", "U.S.A.", "USA", "United States", "the United States of America", "America"],
)
def test_united_states_variants(variant: str) -> None:
    assert "usa" in normalize_claim(f"{variant} debt").split()


def test_us_pronoun_and_other_americas_are_not_the_usa() -> None:
    assert normalize_claim("Let us vote") == "let us vote"
    assert normalize_claim("South America and Latin America") == "south america and latin america"


@pytest.mark.parametrize(
    ("variants", "token"),
    [
        (["UK", "U.K.", "United Kingdom", "Britain", "Great Britain"], "uk"),
        (["EU", "E.U.", "European Union"], "eu"),
        (["UN", "U.N.", "United Nations"], "un"),
        (["NHS", "National Health Service"], "nhs"),
    ],
)
def test_other_abbreviations(variants: list[str], token: str) -> None:
    for variant in variants:
        assert normalize_claim(f"the {variant} said") == f"the {token} said"


def test_negations_survive_as_not() -> None:
    assert normalize_claim("Vaccines aren't safe") == "vaccines are not safe"
    assert (
        normalize_claim("He can't vote") == normalize_claim("He cannot vote") == "he can not vote"
    )
    assert normalize_claim("They DON'T pay") == "they do not pay"


def test_case_punctuation_accents_quotes_and_urls_are_dropped() -> None:
    text = "“Café” owners—in PARIS!!! pay 10% more… https://t.co/xyz"
    assert normalize_claim(text) == "cafe owners in paris pay 10 percent more"


@pytest.mark.parametrize(
    "text",
    [
        "Unemployment in the U.S. rose to 8,000 in 2019, says the $1.5bn EU report",
        "He had 5, 300 more",
        "Trump's tax cut didn't create 1 in 4 jobs",
        "",
    ],
)
def test_idempotent(text: str) -> None:
    once = normalize_claim(text)
    assert normalize_claim(once) == once
