"""The word index's query: words common to a large archive are left out of it."""

from __future__ import annotations

from domain.claim_index import _EN_STEM, HybridIndex, _without_common, query_terms
from domain.normalize import normalize_claim


def test_the_common_word_check_reads_the_index_as_it_was_written() -> None:
    index = HybridIndex.create(None)
    index.upsert([(1, normalize_claim("Unemployment rates jumped in Texas"))], fresh=True)
    index.commit()
    searcher = index._lexical.searcher()
    stems = _EN_STEM.analyze("Unemployment rates jumped in Texas")
    assert stems and all(searcher.doc_freq("body", stem) == 1 for stem in stems)


def test_a_word_in_most_claims_does_not_decide_what_is_found() -> None:
    index = HybridIndex.create(None)
    filler = [(i, normalize_claim(f"Prices rose {i} percent in Ohio")) for i in range(1, 12_000)]
    index.upsert(filler, fresh=True)
    index.upsert([(20_000, normalize_claim("Rents in Texas fell"))], fresh=True)
    index.commit()
    query = query_terms(normalize_claim("Prices in Texas rose 5 percent"))
    assert _without_common(query, index._lexical.searcher()) == "texas 5"
    assert next(iter(index.bm25(normalize_claim("Prices in Texas rose"), 5))) == 20_000
    assert _without_common("prices rose", index._lexical.searcher()) == "prices rose"
