"""A pasted article's first line is its title when it reads as a headline."""

from __future__ import annotations

import pytest

from domain.titles import headline

BODY = "\nThe U.S. economy added 175,000 jobs in April, the Labor Department said on Friday."


@pytest.mark.parametrize(
    ("first", "title"),
    [
        ("US economy adds 175,000 jobs in April", "US economy adds 175,000 jobs in April"),
        ("Is the Fed done raising rates?", "Is the Fed done raising rates?"),
        ("Jobs report", None),  # two words: a label
        ("The economy added jobs in April, the department said.", None),  # a sentence
        ("WASHINGTON (Reuters) - The economy added jobs", None),  # a dateline
        ("Sign up for our newsletter", None),
        ("https://example.org/jobs-report", None),
        ("economy adds jobs in april", None),
    ],
)
def test_a_first_line_that_reads_as_a_headline(first: str, title: str | None) -> None:
    assert headline(first + BODY) == title


def test_a_single_line_has_no_title() -> None:
    assert headline("US economy adds 175,000 jobs in April") is None
