"""Behaviour of claim extraction that a reviewer would notice."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from domain.extraction import ExtractedClaim, extract_claims, score_sentences, split_sentences

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT / ".." / "shared" / "data"
CT24 = SHARED_DATA / "clef2024_task1_checkworthy_en"


def _article(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def _texts(claims: list[ExtractedClaim]) -> list[str]:
    return [claim.text for claim in claims]


def _joined(claims: list[ExtractedClaim]) -> str:
    return "\n".join(_texts(claims))


ARTICLES = ["reuters_inflation", "ap_wildfire", "reuters_shipping"]


# --- sentence splitting -------------------------------------------------------------------------


def test_split_keeps_abbreviations_and_decimals_inside_sentences() -> None:
    text = (
        "The U.S. economy grew 3.5% in the quarter, Dr. Jane Smith said on Jan. 5. "
        '"We are seeing strong demand," she said. Mr. Brown disagreed.'
    )
    assert split_sentences(text) == [
        "The U.S. economy grew 3.5% in the quarter, Dr. Jane Smith said on Jan. 5.",
        '"We are seeing strong demand," she said.',
        "Mr. Brown disagreed.",
    ]


def test_split_ends_sentence_at_closing_quote() -> None:
    assert split_sentences('He said: "We will win." Then he left.') == [
        'He said: "We will win."',
        "Then he left.",
    ]


def test_split_rejoins_hard_wrapped_lines_but_not_paragraphs() -> None:
    text = "Sales rose 4% to $2 billion in\nthe second quarter.\n\nProfit fell 10%."
    assert split_sentences(text) == [
        "Sales rose 4% to $2 billion in the second quarter.",
        "Profit fell 10%.",
    ]


def test_split_tidies_whitespace() -> None:
    assert split_sentences("  The   index\trose  2%.  ") == ["The index rose 2%."]


# --- claims in real-looking articles ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "reuters_inflation",
            [
                "Euro zone inflation fell to 2.1% in May from 2.4% a month earlier",
                "Core inflation, which excludes volatile food and energy prices, slowed to 2.5%",
                "Unemployment in the 20 countries that share the euro held at a record low of 6.2%",
                "The ECB has already lowered its deposit rate from a record high of 4%",
            ],
        ),
        (
            "ap_wildfire",
            [
                "A fast-moving wildfire tore through dry brush",
                "The Ridge Fire had burned 11,200 acres",
                '"This fire went from 50 acres to more than 5,000 acres in under three hours,"',
                "eight of the 10 largest wildfires in California history have occurred since 2017",
            ],
        ),
        (
            "reuters_shipping",
            [
                "A.P. Moller-Maersk raised its full-year earnings forecast",
                "Suez Canal revenue fell to $4 billion in 2024 from $10.25 billion in 2023",
                "The average cost of shipping a 40-foot container from Shanghai to Rotterdam",
                "Rival Hapag-Lloyd of Germany last week reported a 44% drop",
            ],
        ),
    ],
)
def test_expected_claims_are_found(name: str, expected: list[str]) -> None:
    joined = _joined(extract_claims(_article(name)))
    for fragment in expected:
        assert fragment in joined


@pytest.mark.parametrize("name", ARTICLES)
def test_page_furniture_is_not_offered_as_a_claim(name: str) -> None:
    joined = _joined(extract_claims(_article(name), max_claims=100)).lower()
    for marker in (
        "©",
        "copyright",
        "all rights reserved",
        "@context",
        "iframe",
        "watch the video",
        "you may also like",
        "related",
        "reporting by",
        "editing by",
        "contributed to this report",
        "sign up",
        "subscribe",
        "newsletter",
        "trust principles",
        "ap photo",
        "getty images",
        "reuters/",
        "photo:",
        "facebook",
    ):
        assert marker not in joined, marker


@pytest.mark.parametrize("name", ARTICLES)
def test_bylines_and_headlines_are_not_claims(name: str) -> None:
    article = _article(name)
    headline = article.splitlines()[0]
    texts = _texts(extract_claims(article, max_claims=100))
    assert headline not in texts
    assert not any(text.startswith("By ") for text in texts)


def test_dateline_is_stripped_but_its_sentence_kept() -> None:
    texts = _texts(extract_claims(_article("reuters_inflation")))
    assert texts[0].startswith("Euro zone inflation fell to 2.1% in May")
    assert not any("(Reuters)" in text or "FRANKFURT" in text for text in texts)

    wildfire = _texts(extract_claims(_article("ap_wildfire")))
    assert wildfire[0].startswith("A fast-moving wildfire tore through dry brush")


@pytest.mark.parametrize("name", ARTICLES)
def test_questions_and_greetings_are_left_out(name: str) -> None:
    texts = _texts(extract_claims(_article(name), max_claims=100))
    assert not any(text.rstrip("\"'”").endswith("?") for text in texts)
    assert not any(text.startswith(("Hello", "Stay safe")) for text in texts)


@pytest.mark.parametrize("name", ARTICLES)
def test_repeated_paragraphs_are_folded(name: str) -> None:
    texts = _texts(extract_claims(_article(name), max_claims=100))
    keys = [" ".join(text.lower().replace(" ,", ",").split()).rstrip(".") for text in texts]
    assert len(keys) == len(set(keys))


def test_near_exact_repeats_fold_into_the_first() -> None:
    text = (
        "The central bank raised rates by 50 basis points to 4.5% on Thursday, officials said.\n"
        "THE CENTRAL BANK RAISED RATES BY 50 BASIS POINTS TO 4.5% ON THURSDAY, OFFICIALS SAID.\n"
        "The central bank  raised rates by 50 basis points to 4.5% on Thursday , officials said!\n"
        "The central bank raised rates by 50 basis points to 4.5% on Thursday, officals said.\n"
    )
    claims = extract_claims(text)
    assert _texts(claims) == [
        "The central bank raised rates by 50 basis points to 4.5% on Thursday, officials said."
    ]


def test_opinion_and_hedging_are_not_claims() -> None:
    text = (
        "I think this is a wonderful idea. "
        "Maybe things will get better someday. "
        "Let's see what happens next week. "
        "Unemployment fell to 3.9% in March from 4.1% in February, the Labor Department said."
    )
    assert _texts(extract_claims(text)) == [
        "Unemployment fell to 3.9% in March from 4.1% in February, the Labor Department said."
    ]


# --- shape of the result ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ARTICLES)
def test_claims_come_in_article_order_with_positions(name: str) -> None:
    article = _article(name)
    claims = extract_claims(article)
    assert [claim.position for claim in claims] == list(range(len(claims)))
    offsets = [article.find(claim.text[:40]) for claim in claims]
    assert -1 not in offsets
    assert offsets == sorted(offsets)
    assert all(0.0 <= claim.score <= 1.0 for claim in claims)


def test_number_of_claims_is_capped_keeping_the_best() -> None:
    article = _article("reuters_inflation")
    everything = extract_claims(article, max_claims=100)
    top = extract_claims(article, max_claims=3)
    assert len(everything) > 3
    assert len(top) == 3
    assert [claim.position for claim in top] == [0, 1, 2]
    best_scores = sorted((claim.score for claim in everything), reverse=True)[:3]
    assert sorted(claim.score for claim in top) == sorted(best_scores)


def test_default_cap_is_fifteen() -> None:
    sentences = [
        f"Exports from port number {i} rose {i + 2}% to ${i + 1} billion in 2024, officials said."
        for i in range(40)
    ]
    assert len(extract_claims("\n".join(sentences))) == 15


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_empty_input_gives_no_claims(text: str) -> None:
    assert extract_claims(text) == []
    assert split_sentences(text) == []


def test_article_without_check_worthy_sentences_gives_no_claims() -> None:
    text = (
        "Hello everyone!\nWhat a lovely day it is?\n"
        "I hope you all enjoy the weekend with your families.\n"
        "Thanks for reading."
    )
    assert extract_claims(text) == []


def test_huge_input_is_capped_and_finishes_quickly() -> None:
    article = _article("ap_wildfire")
    huge = (article + "\n") * (5_000_000 // len(article))
    started = time.perf_counter()
    claims = extract_claims(huge)
    assert time.perf_counter() - started < 10
    assert 0 < len(claims) <= 15


def test_thousand_word_article_is_fast() -> None:
    article = "\n".join(_article(name) for name in ARTICLES[:2])
    extract_claims(article)  # warm up: model and segmenter load lazily
    started = time.perf_counter()
    for _ in range(5):
        extract_claims(article)
    # The benchmark target is 50 ms; leave room for slow CI machines.
    assert (time.perf_counter() - started) / 5 < 0.25


# --- shared evaluation data ---------------------------------------------------------------------


@pytest.mark.skipif(
    not CT24.is_dir(), reason=f"CheckThat! 2024 data not found at {CT24} (shared/data beside repo)"
)
def test_scorer_beats_trivial_baseline_on_checkthat_test() -> None:
    from domain.checkworthiness import is_check_worthy

    gold, texts = _checkthat_test()
    predicted = [is_check_worthy(text) for text in texts]
    # Predicting "Yes" everywhere scores 0.41; the model before character n-grams scored 0.583,
    # with them 0.60; the TF-IDF+LR reference (trained on CT24 itself) is 0.624.
    assert _f1(gold, predicted) > 0.59


@pytest.mark.skipif(
    not CT24.is_dir(), reason=f"CheckThat! 2024 data not found at {CT24} (shared/data beside repo)"
)
def test_extractor_with_encoder_beats_the_linear_model_on_checkthat_test() -> None:
    gold, texts = _checkthat_test()
    result = score_sentences(texts, max_claims=None)
    # The linear model alone gives 0.60-0.62 here; with the encoder deciding its unsure band, 0.64.
    assert _f1(gold, [item.offered for item in result.scored]) > 0.63


def _checkthat_test() -> tuple[list[bool], list[str]]:
    path = CT24 / "CT24_checkworthy_english_test_gold.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [row["class_label"] == "Yes" for row in rows], [row["Text"] for row in rows]


def _f1(gold: list[bool], predicted: list[bool]) -> float:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    precision = tp / max(sum(predicted), 1)
    recall = tp / max(sum(gold), 1)
    return 2 * precision * recall / max(precision + recall, 1e-9)
