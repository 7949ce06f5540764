"""Following a log whose ids commit out of order."""

from __future__ import annotations

from domain.log_position import LogPosition


def test_ids_skipped_over_are_awaited_until_they_arrive_or_expire() -> None:
    position = LogPosition()
    position.advance([1, 2, 5], now=0.0)
    assert position.high == 5 and sorted(position.gaps) == [3, 4]
    position.advance([4], now=1.0)
    assert sorted(position.gaps) == [3]
    position.expire(now=700.0)
    assert position.gaps == {}
    restored = LogPosition.from_json(position.to_json())
    assert restored == position and LogPosition.from_json("junk") == LogPosition()
