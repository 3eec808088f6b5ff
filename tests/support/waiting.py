"""Waiting for a condition with a time limit, instead of sleeping a fixed time."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], timeout: float = 10.0, interval: float = 0.02, message: str = ""
) -> T:
    """Call `condition` until it returns something true, and return that; fail the test
    once `timeout` seconds have passed without."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(message or f"not so after {timeout} s: {condition!r}")
        time.sleep(interval)
