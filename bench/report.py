"""How benchmark figures are printed and measured."""

import json
import statistics
import sys
import time
from contextlib import contextmanager


def emit(name: str, value: float, unit: str) -> None:
    """Print one figure as a JSON line on stdout."""
    print(json.dumps({"bench": name, "value": round(value, 3), "unit": unit}), flush=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def median(values: list[float]) -> float:
    return statistics.median(values)


@contextmanager
def timed(label: str):
    """Measure a block; the elapsed seconds are in the yielded dict under "s"."""
    result = {}
    started = time.perf_counter()
    yield result
    result["s"] = time.perf_counter() - started
    print(f"{label}: {result['s']:.2f} s", file=sys.stderr)
