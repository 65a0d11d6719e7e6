"""Throughput and cold start of the name matcher on the whole UN + OFAC + EU lists.

Run: ``.venv/bin/python bench/names_throughput.py [--seconds 5]``. One process, one core: screens per second over
the query names of the tuning split (never the test split), interleaved pass by pass with a baseline measured in
the same run (rapidfuzz's ``process.extractOne`` with token-sort ratio over every listed name, a plain scan); then
the cold start of a saved index: unpickling it as ``basira screen`` does, plus its first query, in a fresh
process.
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rapidfuzz import fuzz, process

from basira.core.errors import InvalidInput
from common import report
from names_eval import build_index, read
from names_pairs import fold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="time per matcher")
    args = ap.parse_args()
    queries = list(dict.fromkeys(p["q"] for p in read("tune", False)))
    index, build_s = build_index()
    listed = [fold(t) for t in {n.text for n in index._state.names.values()}]
    print(f"index: {len(index)} entries, {len(listed)} distinct listed names, built in {build_s:.1f} s")

    def basira(q: str) -> None:
        try:
            index.query(q)
        except InvalidInput:
            pass

    def scan(q: str) -> None:
        process.extractOne(fold(q), listed, scorer=fuzz.token_sort_ratio)

    done = {"basira": 0, "scan": 0}
    spent = {"basira": 0.0, "scan": 0.0}
    i = 0
    while min(spent.values()) < args.seconds:  # interleaved, 50 queries at a time
        batch = [queries[(i + k) % len(queries)] for k in range(50)]
        i += 50
        for name, fn in (("basira", basira), ("scan", scan)):
            t0 = time.process_time()
            for q in batch:
                fn(q)
            spent[name] += time.process_time() - t0
            done[name] += len(batch)
    rate = {k: done[k] / spent[k] for k in done}
    report("screens per second per core (CPU time)", rate["basira"], "screens/s", rate["scan"],
           "baseline: rapidfuzz extractOne scan")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.pkl"
        index.ready()
        path.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        code = ("import pickle, sys, time; t0 = time.process_time(); w0 = time.perf_counter();"
                "from basira.finance.names import NameIndex;"
                f"i = pickle.loads(open({str(path)!r}, 'rb').read()); i.query('Ayman al-Zawahiri');"
                "print(time.process_time() - t0, time.perf_counter() - w0)")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        cpu, wall = (float(x) for x in out.split())
        print(f"cold start (import + load saved index + first query, fresh process): {cpu:.2f} s CPU, {wall:.2f} s "
              f"wall; index file {path.stat().st_size / 1e6:.1f} MB (rebuilding it takes {build_s:.1f} s)")


if __name__ == "__main__":
    main()
