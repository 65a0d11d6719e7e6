"""``basira demo`` and :func:`basira.demo.seed_demo`: made once, with signals computed from generated images."""

from __future__ import annotations

import json

from .conftest import Cli


def test_demo_makes_banks_of_good_quality_signals_and_files_to_try_then_refuses_a_second_time(cli: Cli) -> None:
    first = cli.ok("demo")
    assert "bsk_" in first.stdout and "demo-admin" in first.stdout
    assert "basira match --org demo" in first.stdout and "curl" in first.stdout
    for name in ("resized-copy.jpg", "exact-copy.png", "unrelated.png"):
        assert (cli.data_dir / "demo" / "try" / name).is_file()
        assert name in first.stdout

    photos = json.loads(cli.ok("bank", "show", "Demo photos", "--org", "demo", "--json").stdout)
    assert photos["signal_counts"] == {"md5": 20, "pdq": 20, "sha256": 20}
    assert photos["tlp"] == "AMBER" and photos["negative"] is False
    memes = json.loads(cli.ok("bank", "show", "Demo harmless memes", "--org", "demo", "--json").stdout)
    assert memes["negative"] is True
    exported = [json.loads(x) for x in cli.ok("bank", "export", "Demo photos", "--org", "demo",
                                               "--format", "jsonl").stdout.splitlines()]
    qualities = [r["quality"] for r in exported if r["signal_type"] == "pdq"]
    assert len(qualities) == 20 and min(qualities) >= 50
    assert len({r["signal_value"] for r in exported if r["signal_type"] == "pdq"}) == 20
    assert cli.ok("audit", "verify")

    second = cli("demo")
    assert second.exit_code == 75
    assert "the demo exists already" in second.stderr and "Traceback" not in second.output
