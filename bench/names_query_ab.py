"""Throughput of the name matcher's query path against another checkout's, in one process, round by round.

Run: ``.venv/bin/python bench/names_query_ab.py --other-src /path/to/other/src [--rounds 12]``. The index (UN + OFAC
CSV + EU, as ``bench/names_throughput.py`` builds it) is built once with this tree's code; each round screens the
same tuning-split queries (never a frozen split) with this tree's ``QueryRun`` and with the other tree's
``name_query.QueryRun`` (loaded from its file, so it must fit this tree's index), one after the other, so both see
the same load on the machine. Reports screens per CPU-second, the median over rounds and the median of the
per-round ratio, and whether every hit of every query is the same with both.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from basira.core.errors import InvalidInput
from basira.finance import name_query, name_scoring
from names_eval import build_index, read


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--other-src", type=Path, required=True, help="the other checkout's src folder")
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--queries", type=int, default=1500)
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location(
        "other_name_query", args.other_src / "basira" / "finance" / "name_query.py")
    assert spec is not None and spec.loader is not None
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    index, _ = build_index("tune")
    queries = list(dict.fromkeys(p["q"] for p in read("tune", False)))[:args.queries]

    def run() -> list[object]:
        out: list[object] = []
        for q in queries:
            try:
                out.append(index.query(q))
            except InvalidInput as e:
                out.append(e.detail)
        return out

    sides = {"other": other.QueryRun, "this tree": name_query.QueryRun}
    answers = {}
    for name, cls in sides.items():  # warm-up, and the answers compared
        name_scoring.QueryRun = cls  # type: ignore[misc]
        answers[name] = run()
    rates: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.rounds):
        for name, cls in sides.items():
            name_scoring.QueryRun = cls  # type: ignore[misc]
            t0 = time.process_time()
            run()
            rates[name].append(len(queries) / (time.process_time() - t0))
    name_scoring.QueryRun = name_query.QueryRun  # type: ignore[misc]
    for name, got in rates.items():
        ratio = statistics.median(a / b for a, b in zip(got, rates["other"], strict=True))
        print(f"{name}: median {statistics.median(got):.0f} screens/s per CPU-second, per-round ratio to other "
              f"{ratio:.3f} (rounds: {' '.join(f'{r:.0f}' for r in got)})")
    print("same hits for every query:", answers["other"] == answers["this tree"])


if __name__ == "__main__":
    main()
