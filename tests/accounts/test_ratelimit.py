"""The shared rate limiter (accounts.domain.ratelimit): a sliding window per limit and key."""

from __future__ import annotations

import time_machine

from zgcfund.accounts.domain import ratelimit
from zgcfund.accounts.domain.ratelimit import Limit

THREE_A_MINUTE = Limit("test", 3, 60)


def test_allows_up_to_the_limit_then_names_the_wait(settings):
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        assert [ratelimit.hit(THREE_A_MINUTE, "a") for _ in range(3)] == [0, 0, 0]
        assert ratelimit.hit(THREE_A_MINUTE, "a") == 61
        assert ratelimit.hit(THREE_A_MINUTE, "b") == 0  # another key is counted on its own
        clock.shift(30)
        assert ratelimit.wait_seconds(THREE_A_MINUTE, "a") == 31
        clock.shift(31)
        assert ratelimit.hit(THREE_A_MINUTE, "a") == 0  # the window has slid past the first hits


def test_refused_attempts_do_not_extend_the_wait():
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        for _ in range(3):
            ratelimit.hit(THREE_A_MINUTE, "k")
        for _ in range(10):
            clock.shift(5)
            ratelimit.hit(THREE_A_MINUTE, "k")
        clock.shift(11)
        assert ratelimit.hit(THREE_A_MINUTE, "k") == 0


def test_a_limit_of_none_refuses_without_error():
    assert ratelimit.hit(Limit("closed", 0, 600), "x") == 600


def test_message_is_chinese_and_rounds_up_to_minutes():
    assert ratelimit.message(61) == "操作过于频繁，请 2 分钟后再试。"
