"""The plausibility rules on the shared Remote ID captures: the real flights must not be marked suspect wherever
the receiver was entered within 0-300 m of where it really stood, and the spoofed captures must still be.

The real flights are the opendroneid samples (a transmitter on the move, Wi-Fi beacon, Wi-Fi NAN without a Basic
ID, Bluetooth 5 long range); each is replayed once per entered sensor position: the drone's first position moved
``--step`` metres at a time up to 300 m, on 8 bearings, with the default position uncertainty (100 m). The spoofed
ones are the cyber-defence-campus captures with the receiver where the documentation puts it. Each replay runs in
its own organization of one fresh SQLite instance (no server).

    .venv/bin/python bench/drones_false_alarms.py [--step 25]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from basira.core import orgs
from basira.core.instance import Instance
from basira.core.principal import Principal, system_principal
from basira.core.settings import load_settings
from basira.drones import sensors
from basira.drones.capture import replay
from basira.drones.ingest import service
from basira.drones.models import DroneTrack
from basira.drones.remoteid import Frame
from basira.drones.tracks import observe
from basira.drones.zones import GEOD

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "remoteid"
REAL = ("odid_wifi_bcn_sample.pcap", "odid_wifi_sample.pcap", "odid_bt5_lr_sample.pcapng")
#: Receiver positions of the spoofed captures (tests/drones/test_spoofing.py, docs/drones.md).
SPOOFED = {"cdc_parrot_anafi4_spoofed.pcapng": (47.378, 8.532), "cdc_mavic_multiple_spoofed.pcapng": (46.80, 7.66),
           "cdc_mavic_alessa_spoofed.pcapng": (46.80, 7.66)}


def frames_of(name: str) -> list[Frame]:
    out: list[Frame] = []
    replay(DATA / name, out.append)
    return [f for f in out if f.ok]


def run(inst: Instance, n: int, frames: list[Frame], lat: float, lon: float) -> list[DroneTrack]:
    with inst.db.session() as s:
        who: Principal = system_principal(orgs.create_org(s, "bench", f"o{n}", f"o{n}").id, actor="bench")
        sensor = sensors.create_sensor(s, who, sensors.SensorSpec(ref="s", lat=lat, lon=lon, range_m=2000))
        service(inst).ingest_decoded(s, who, [(f, sensor) for f in frames])
    with inst.db.session() as s:
        return list(s.query(DroneTrack).filter(DroneTrack.org_id == who.org_id))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--step", type=float, default=25.0, help="metres between entered sensor positions")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={}, data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/b.db",
                                 secret_key="bench", worker_interval_s=0)
        inst = Instance(settings)
        n = 0
        verdicts: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for name in REAL:
            frames = frames_of(name)
            anchor = next((o for o in (observe(f, 0) for f in frames) if o.has_position), None)
            lat0, lon0 = (anchor.lat, anchor.lon) if anchor and anchor.lat is not None else (45.5457, -122.9681)
            off = 0.0
            while off <= 300.0:
                for bearing in range(0, 360, 45):
                    lon, lat, _ = GEOD.fwd(lon0, lat0, bearing, off)
                    n += 1
                    for t in run(inst, n, frames, lat, lon):
                        verdicts[t.verdict] += 1
                        reasons.update(r.split(":")[0] for r in t.reasons)
                    if off == 0:
                        break
                off += args.step
        total = sum(verdicts.values())
        print(f"real flights: {n} replays, {total} tracks: {dict(verdicts)}; "
              f"false-alarm rate (suspect) {verdicts['suspect']}/{total} = {verdicts['suspect'] / total:.1%}")
        print(f"  rules that fired on real flights (tracks): {dict(reasons.most_common())}")
        for name, (lat, lon) in SPOOFED.items():
            n += 1
            found = run(inst, n, frames_of(name), lat, lon)
            caught = sum(t.verdict == "suspect" for t in found)
            codes: Counter[str] = Counter(r.split(":")[0] for t in found for r in t.reasons)
            print(f"{name}: {caught}/{len(found)} tracks suspect; reasons {dict(codes.most_common())}")
        inst.close()


if __name__ == "__main__":
    main()
