"""Sends shipping notifications; it serves no port, so it proves it is alive by a heartbeat."""

from __future__ import annotations

import os
import time
from pathlib import Path

HEARTBEAT = Path(os.environ.get("HEARTBEAT_FILE", "/tmp/courier-heartbeat"))


def interval() -> float:
    return float(os.environ.get("POLL_SECONDS", "5"))


def beat(path: Path = HEARTBEAT) -> None:
    """Record that the loop is still turning (the file's modification time)."""
    path.touch()


def alive(path: Path = HEARTBEAT, now: float | None = None) -> bool:
    """Whether the loop beat within three intervals: a wedged loop stops beating."""
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        return False
    return age <= 3 * interval()


def notify(order: dict[str, str]) -> str:
    return f"Order {order['id']} has shipped to {order.get('city', 'you')}."
