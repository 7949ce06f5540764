"""The claim archive as the bot and `factdesk search` use it: matching, explanations, the index
on disk, and replicas following one PostgreSQL database."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Claim, Verdict
from db.uow import Database
from domain.normalize import normalize_claim
from domain.verdicts import ClaimStatus, Rating, VerdictKind
from services.archive import ArchivedVerdict, ClaimArchive

ARCHIVED = {
    "isis": "There are an estimated 8,000 ISIS fighters imprisoned in Syria",
    "obama": "Obama deported more immigrants than any other president",
    "crime": "Violent crime rose 13% in Texas last year",
    "vaccine": "The measles vaccine is safe for children",
    "nhs": "The NHS is short of 40,000 nurses",
    "cars": "Electric cars produce more emissions than petrol cars",
}


def _add(session: Session, text: str, *, rating: str = "false") -> int:
    """A checked claim with its verdict, as a review leaves it (not committed here)."""
    claim = Claim(
        article_id=None,
        position=0,
        text=text,
        normalized_text=normalize_claim(text),
        status=ClaimStatus.CHECKED,
    )
    session.add(claim)
    session.flush()
    assert claim.id is not None
    session.add(
        Verdict(
            claim_id=claim.id,
            external_reviewer="Desk",
            kind=VerdictKind.REVIEW,
            rating=Rating(rating),
            source_url="https://fc.example/" + str(claim.id),
        )
    )
    session.flush()
    return claim.id


def _seed(engine: Engine, texts: dict[str, str]) -> dict[str, int]:
    with Session(engine) as session:
        ids = {key: _add(session, text) for key, text in texts.items()}
        session.commit()
    return ids


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def archive(sqlite_engine: Engine, tmp_path: Path) -> Iterator[tuple[ClaimArchive, dict[str, int]]]:
    ids = _seed(sqlite_engine, ARCHIVED)
    opened = ClaimArchive.open(Database(sqlite_engine), index_dir=tmp_path / "desk.index")
    yield opened, ids
    opened.close()


def _similar(found: list[ArchivedVerdict], claim_id: int) -> ArchivedVerdict:
    return next(m for m in found if m.claim_id == claim_id)


def test_a_paraphrase_is_the_same_claim(archive: tuple[ClaimArchive, dict[str, int]]) -> None:
    claims, ids = archive
    same, _ = claims.lookup(
        None, "Roughly 8,000 Islamic State militants are being held in jails in Syria"
    )
    assert same is not None and same.claim_id == ids["isis"]
    assert same.explanation.startswith("Same claim")


def test_an_acronym_spelled_out_and_a_comparison_turned_around_are_checked_before(
    archive: tuple[ClaimArchive, dict[str, int]],
) -> None:
    """ "NHS" / "National Health Service" and "A more than B" / "B less than A" come back with
    the earlier verdict; the same comparison with its terms swapped does not."""
    claims, ids = archive
    for text, key in (
        ("The National Health Service lacks 40,000 nurses", "nhs"),
        ("Petrol cars emit less than electric cars", "cars"),
    ):
        same, _ = claims.lookup(None, text)
        assert same is not None and same.claim_id == ids[key], (text, same)
        assert same.explanation.startswith("Same claim")
    same, similar = claims.lookup(None, "Petrol cars produce more emissions than electric cars")
    assert same is None
    match = _similar(similar, ids["cars"])
    assert "roles swapped" in match.explanation, match.explanation
    same, similar = claims.lookup(None, "The National Health Service lacks 40,000 beds")
    assert same is None
    assert "nurses / beds" in _similar(similar, ids["nhs"]).explanation


def test_an_actor_swap_a_changed_figure_and_a_negation_are_similar_with_the_difference_named(
    archive: tuple[ClaimArchive, dict[str, int]],
) -> None:
    claims, ids = archive
    cases = [
        ("Clinton deported more immigrants than any other president", "obama", "Obama / Clinton"),
        ("Violent crime rose 31% in Texas last year", "crime", "13 → 31"),
        ("The measles vaccine is not safe for children", "vaccine", "negated"),
    ]
    for text, key, named in cases:
        same, similar = claims.lookup(None, text)
        assert same is None, (text, same)
        match = _similar(similar, ids[key])
        assert not match.same
        assert named in match.explanation, match.explanation
        assert match.explanation.startswith("Similar, not the same")


def test_one_archived_claim_is_listed_once(sqlite_engine: Engine, tmp_path: Path) -> None:
    ids = _seed(sqlite_engine, {"a": "Exports grew 5% in 2019"})
    with Session(sqlite_engine) as session:  # a second verdict on the same claim
        session.add(
            Verdict(
                claim_id=ids["a"],
                external_reviewer="Desk",
                kind=VerdictKind.SETTLEMENT,
                rating=Rating.TRUE,
                source_url="https://fc.example/x",
            )
        )
        session.commit()
    claims = ClaimArchive.open(Database(sqlite_engine), index_dir=tmp_path / "i")
    try:
        found = claims.search(None, "Exports grew 5% in 2019", limit=5)
        assert [m.claim_id for m in found] == [ids["a"]]
        assert found[0].rating.value == "true" and found[0].same
    finally:
        claims.close()


def test_the_index_survives_a_restart_and_is_rebuilt_when_deleted_or_damaged(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    ids = _seed(sqlite_engine, ARCHIVED)
    folder = tmp_path / "desk.index"
    first = ClaimArchive.open(Database(sqlite_engine), index_dir=folder)
    assert first.rebuilt and len(first) == len(ARCHIVED)
    first.close()
    with Session(sqlite_engine) as session:  # recorded while no process was running
        late = _add(session, "Unemployment fell to 3.5% in Ohio")
        session.commit()

    again = ClaimArchive.open(Database(sqlite_engine), index_dir=folder)
    try:
        assert not again.rebuilt
        assert len(again) == len(ARCHIVED) + 1 and again.pending_embeddings() == 0
        same, _ = again.lookup(None, "Unemployment in Ohio fell to 3.5%")
        assert same is not None and same.claim_id == late
    finally:
        again.close()

    shutil.rmtree(folder)
    rebuilt = ClaimArchive.open(Database(sqlite_engine), index_dir=folder)
    try:
        assert rebuilt.rebuilt and len(rebuilt) == len(ARCHIVED) + 1
        same, _ = rebuilt.lookup(None, ARCHIVED["obama"])
        assert same is not None and same.claim_id == ids["obama"]
    finally:
        rebuilt.close()

    (folder / "state.json").write_text("{not json", encoding="utf-8")
    repaired = ClaimArchive.open(Database(sqlite_engine), index_dir=folder)
    try:
        assert repaired.rebuilt and len(repaired) == len(ARCHIVED) + 1
    finally:
        repaired.close()


def _wait_for_same(archive: ClaimArchive, text: str, claim_id: int, *, within: float) -> float:
    """Seconds until ``archive`` calls ``text`` the same claim as ``claim_id``."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        same, _ = archive.lookup(None, text)
        if same is not None and same.claim_id == claim_id:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not matched within {within} s")


@pytest.mark.postgres
def test_replicas_on_postgres_see_each_others_verdicts_even_committed_out_of_order(
    postgres_url: str, tmp_path: Path
) -> None:
    upgrade(postgres_url)
    engine_a = make_engine(postgres_url)
    engine_b = make_engine(postgres_url)
    _seed(engine_a, {"seed": "The minimum wage was raised to 15 dollars in Florida"})
    replica_a = ClaimArchive.open(Database(engine_a), index_dir=tmp_path / "a", poll_seconds=0.1)
    replica_b = ClaimArchive.open(Database(engine_b), index_dir=tmp_path / "b", poll_seconds=0.1)
    try:
        # A verdict given through one replica is matched on the other.
        plain = _seed(engine_a, {"x": "Exports of Chilean copper doubled in 2021"})["x"]
        _wait_for_same(replica_b, "Chilean copper exports doubled in 2021", plain, within=2.0)

        # Out of order: the slow transaction takes its ids first, a later one commits first.
        slow = Session(engine_a)
        held = _add(slow, "Nigeria produced 2 million barrels of oil a day in 2020")
        fast = _seed(engine_b, {"y": "Three quarters of Kenyan adults own a mobile phone"})["y"]
        _wait_for_same(
            replica_a, "Three quarters of Kenyan adults own a mobile phone", fast, within=2.0
        )
        slow.commit()
        slow.close()
        _wait_for_same(
            replica_a, "Nigeria produced 2 million barrels of oil a day in 2020", held, within=2.0
        )
        _wait_for_same(
            replica_b, "Nigeria produced 2 million barrels of oil a day in 2020", held, within=2.0
        )
    finally:
        replica_a.close()
        replica_b.close()
        engine_a.dispose()
        engine_b.dispose()


def test_a_second_process_on_the_same_index_reads_it_and_follows_the_log(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    ids = _seed(sqlite_engine, ARCHIVED)
    folder = tmp_path / "desk.index"
    writer = ClaimArchive.open(Database(sqlite_engine), index_dir=folder)
    reader = ClaimArchive.open(
        Database(sqlite_engine), index_dir=folder
    )  # `factdesk search` meanwhile
    try:
        same, _ = reader.lookup(None, ARCHIVED["crime"])
        assert same is not None and same.claim_id == ids["crime"]
        with Session(sqlite_engine) as session:
            late = _add(session, "Oil exports from Norway fell by a third in 2020")
            session.commit()
        _wait_for_same(reader, "Norway's oil exports fell by a third in 2020", late, within=2.0)
        assert len(reader) == len(ARCHIVED) + 1
    finally:
        reader.close()
        writer.close()


def test_an_archive_constructed_as_the_bot_does_opens_on_refresh(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    ids = _seed(sqlite_engine, ARCHIVED)
    claims = ClaimArchive(index_dir=tmp_path / "desk.index")
    try:
        claims.load(Database(sqlite_engine))  # the bot's post_init, in a thread
        assert len(claims) == len(ARCHIVED)
        same, _ = claims.lookup(None, "The measles vaccine is safe for kids")
        assert same is not None and same.claim_id == ids["vaccine"]
    finally:
        claims.close()


def test_a_words_only_archive_matches_meanwhile_and_fills_its_embeddings_in_steps(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    ids = _seed(sqlite_engine, ARCHIVED)
    claims = ClaimArchive.open(Database(sqlite_engine), index_dir=tmp_path / "i", embed=False)
    try:
        assert claims.pending_embeddings() == len(ARCHIVED)
        found = claims.search(None, "Violent crime rose 13% in Texas last year", limit=1)
        assert found[0].claim_id == ids["crime"] and found[0].same
        assert claims.fill_embeddings(limit=1, page_size=1) == 1
        claims.fill_embeddings()
        assert claims.pending_embeddings() == 0
    finally:
        claims.close()


def test_an_index_built_for_another_database_is_rebuilt(tmp_path: Path) -> None:
    folder = tmp_path / "shared.index"
    engines = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / (name + '.db')}"
        upgrade(url)
        engines.append(make_engine(url))
    ids_a = _seed(engines[0], {"x": ARCHIVED["obama"]})
    ids_b = _seed(engines[1], {"y": ARCHIVED["crime"], "z": ARCHIVED["isis"]})
    first = ClaimArchive.open(Database(engines[0]), index_dir=folder)
    first.close()
    second = ClaimArchive.open(Database(engines[1]), index_dir=folder)
    try:
        assert second.rebuilt and len(second) == 2
        assert [m.claim_id for m in second.search(None, ARCHIVED["crime"], limit=1)] == [ids_b["y"]]
        found = second.search(None, ARCHIVED["obama"])
        assert ids_a and all(m.claim_text != ARCHIVED["obama"] for m in found)
    finally:
        second.close()
        for engine in engines:
            engine.dispose()
