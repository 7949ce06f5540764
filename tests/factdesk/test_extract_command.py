"""`factdesk extract` as a user runs it: a real subprocess on a file, a link, stdin."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "domain" / "fixtures"
WIRE = FIXTURES / "abc_returns.txt"


def _env(**values: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "FACTDESK_", "DATABASE_URL"))
    }
    env.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    env.update(values)
    return env


def _extract(
    tmp_path: Path, *args: str, stdin: bytes | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "factdesk", "extract", *args],
        input=stdin,
        capture_output=True,
        cwd=tmp_path,
        env=_env(**env),
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8"),
    )


def _rows(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_file_gives_the_claims_in_article_order_with_scores(tmp_path: Path) -> None:
    result = _extract(tmp_path, str(WIRE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("0.") and "flew 47 Venezuelan migrants" in lines[0]
    assert any("Six of the adults [the US took back]" in line for line in lines)
    assert not any("impossible to predict" in line for line in lines)


def test_json_lines_carry_text_score_claim_position_and_sentence(tmp_path: Path) -> None:
    result = _extract(tmp_path, str(WIRE), "--json")
    assert result.returncode == 0, result.stderr
    rows = _rows(result.stdout)
    assert [row["position"] for row in rows] == list(range(len(rows)))
    assert all(row["claim"] is True for row in rows)
    assert all(0.0 <= float(str(row["score"])) <= 1.0 for row in rows)
    six = next(row for row in rows if str(row["sentence"]).startswith("Six of the adults"))
    assert str(six["text"]).startswith("Six of the adults [the US took back]")
    homan = next(row for row in rows if "Tom Homan told" in str(row["sentence"]))
    assert homan["claimant"] == "Border czar Tom Homan"
    assert {row["language"] for row in rows} == {"en"}


def test_limit_caps_the_offer_and_all_lists_the_rest(tmp_path: Path) -> None:
    capped = _rows(_extract(tmp_path, str(WIRE), "--json", "--limit", "3").stdout)
    assert len(capped) == 3
    everything = _extract(tmp_path, str(WIRE), "--json", "--all", "--limit", "3")
    rows = _rows(everything.stdout)
    assert sum(row["claim"] is True for row in rows) == 3
    assert any(
        row["claim"] is False and "impossible to predict" in str(row["sentence"]) for row in rows
    )
    assert all(row["position"] is None for row in rows if row["claim"] is False)
    assert "not offered" in everything.stderr


def test_default_limit_is_the_bots_cap(tmp_path: Path) -> None:
    result = _extract(tmp_path, str(WIRE), "--json", FACTDESK_MAX_CLAIMS="2")
    assert len(_rows(result.stdout)) == 2


def test_stdin_with_sentences_scores_each_line_alone(tmp_path: Path) -> None:
    lines = [
        "Unemployment fell to 4.1% in March, the Labor Department said.",
        "",
        "I hope everyone has a wonderful evening.",
        "Will you vote for me?",
        "It comes just days after the vote.",
    ]
    result = _extract(
        tmp_path,
        "-",
        "--sentences",
        "--json",
        "--all",
        "--limit",
        "0",
        stdin="\n".join(lines).encode(),
    )
    assert result.returncode == 0, result.stderr
    rows = _rows(result.stdout)
    assert [row["line"] for row in rows] == [1, 3, 4, 5]
    assert [row["sentence"] for row in rows] == [line for line in lines if line]
    assert [row["claim"] for row in rows][:3] == [True, False, False]
    assert rows[3]["text"] == "It comes just days after the vote."


def test_latin1_french_file_reads_right_and_says_the_language(tmp_path: Path) -> None:
    article = tmp_path / "chomage.txt"
    article.write_bytes(
        "Le taux de chômage en France a baissé à 7,1 % au troisième trimestre, selon "
        "l'Insee.\nLe nombre de demandeurs d'emploi a diminué de 40 000 en un an, a "
        "indiqué France Travail jeudi.\n".encode("latin-1")
    )
    result = _extract(tmp_path, str(article))
    assert result.returncode == 0, result.stderr
    assert "Le taux de chômage en France a baissé à 7,1 %" in result.stdout
    assert "'fr'" in result.stderr and "English only" in result.stderr


@pytest.fixture
def article_server() -> Iterator[str]:
    page = (
        "<html><head><title>US sends 47 migrants back</title></head><body><article>"
        + "".join(f"<p>{line}</p>" for line in WIRE.read_text(encoding="utf-8").splitlines())
        + "</article></body></html>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/news/returns"
    finally:
        server.shutdown()
        server.server_close()


def test_url_is_fetched_and_read(tmp_path: Path, article_server: str) -> None:
    result = _extract(tmp_path, article_server, FACTDESK_ALLOW_PRIVATE_URLS="true")
    assert result.returncode == 0, result.stderr
    assert "flew 47 Venezuelan migrants back to Caracas" in result.stdout


def test_private_url_is_refused_unless_allowed(tmp_path: Path, article_server: str) -> None:
    result = _extract(tmp_path, article_server)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "private" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "no text"),
        ("blank.txt", b"  \n\n\t\n", "no text"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16, "not text"),
        ("program", b"\x7fELF\x02\x01\x01" + bytes(8000), "not text"),
    ],
)
def test_empty_or_binary_input_is_one_clear_line_and_exit_2(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = _extract(tmp_path, str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr


def test_missing_file_and_empty_stdin_exit_2(tmp_path: Path) -> None:
    missing = _extract(tmp_path, str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    empty = _extract(tmp_path, "-", stdin=b"")
    assert empty.returncode == 2 and "stdin has no text" in empty.stderr
