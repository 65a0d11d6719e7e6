"""Cold start of ``basira screen``: ten customers screened in a fresh process against lists already imported, with
the saved name indexes read back (the first run, which builds and saves them, is not counted).

Run: ``.venv/bin/python bench/screen_cold_start.py --data-dir DIR [--baseline-src /path/to/other/src]``. ``DIR`` is
a Basira data folder with the lists imported (``basira lists import un ...``). With ``--baseline-src`` the same
command runs with another checkout's ``src`` first on ``PYTHONPATH``, alternating with this one run by run, so that
both see the same load on the machine. Each side gets its own bytecode cache (``PYTHONPYCACHEPREFIX``), compiled by
a warm-up run, as an installed package has. Reports the median wall time and the median CPU time (user + system of
the child) of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Ten customers (id, name, birth date, nationality): listed people, common names, a company, Arabic script.
CUSTOMERS = """id,name,birth_date,nationality
1,Ayman al-Zawahiri,1951,
2,Mohammed Ali,,
3,Jean Dupont,1970-01-01,France
4,عمر حداد,,
5,Abu Bakr al Baghdadi,,
6,Siemens AG,,
7,Vladimir Putin,1952-10-07,RU
8,Fatima Zahra Benali,,
9,Osama bin Laden,,
10,Li Wei,,
"""


def run_once(src: Path, data_dir: Path, customers: Path, out: Path, pyc: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(src), "BASIRA_DATA_DIR": str(data_dir), "PYTHONPYCACHEPREFIX": str(pyc)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = "import sys; from basira.cli.main import main; sys.argv[0] = 'basira'; main()"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, "screen", str(customers), "--no-record", "--no-monitor",
                             "-o", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"basira screen failed with {src}: {stderr}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--baseline-src", type=Path, help="another checkout's src folder, run alternately")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    sides = {"this tree": ROOT / "src"}
    if args.baseline_src:
        sides["baseline"] = args.baseline_src.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        customers = work / "ten.csv"
        customers.write_text(CUSTOMERS, encoding="utf-8")
        outputs: dict[str, bytes] = {}
        for name, src in sides.items():  # warm-up: bytecode compiled, indexes saved (not counted)
            for _ in range(2):
                run_once(src, args.data_dir, customers, work / "out.csv", work / f"pyc-{name}")
            outputs[name] = (work / "out.csv").read_bytes()
        if len(set(outputs.values())) > 1:
            print("note: the two trees' outputs differ")
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for _ in range(args.runs):
            for name, src in sides.items():
                times[name].append(run_once(src, args.data_dir, customers, work / "out.csv", work / f"pyc-{name}"))
    for name, got in times.items():
        walls, cpus = [w for w, _ in got], [c for _, c in got]
        print(f"{name}: median {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU "
              f"(runs: {', '.join(f'{w:.2f}/{c:.2f}' for w, c in got)})")


if __name__ == "__main__":
    main()
