"""Imports in bounded memory (issue 21): a 1 MB .gz list inflating to 1 GiB took 2.5 GB, a 1 GiB CSV line 5.4 GB
before it was refused. Now the bytes read past a cap are never more than a chunk, whatever the file holds; upload
files a crash left are removed at start-up; one worker decodes at most its pixel budget at once."""

from __future__ import annotations

import gzip
import io
import os
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from basira.core import budget
from basira.core.bounded import LimitedReader, bounded_lines, limited
from basira.core.errors import Busy, ContentTooLarge
from basira.core.instance import Instance


class Endless(io.RawIOBase):
    """An endless stream of one byte that counts what was read of it (a "1 GiB line" without the GiB)."""

    def __init__(self, byte: bytes = b"a") -> None:
        self.byte, self.read_bytes = byte, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        n = len(buffer)
        buffer[:n] = self.byte * n
        self.read_bytes += n
        return n


def test_an_endless_line_is_refused_after_the_line_limit() -> None:
    raw = Endless()
    text = io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8")
    with pytest.raises(ContentTooLarge, match="line is longer"):
        list(bounded_lines(text, 100_000, "the import"))
    assert raw.read_bytes < 300_000  # never the whole "line"


def test_a_bank_import_with_an_endless_line_is_refused_in_bounded_memory(instance: Instance,
                                                                         admin: object) -> None:
    from basira.core import banks, bulk

    raw = Endless()
    stream = io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8")
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="b"))  # type: ignore[arg-type]
        with pytest.raises(ContentTooLarge):
            bulk.import_signals(s, admin, instance.registry, instance.settings, bank.id, stream, "csv")  # type: ignore[arg-type]
    assert raw.read_bytes < 3 * instance.settings.import_max_line_bytes


def test_a_gzip_bomb_list_stops_at_the_inflation_cap() -> None:
    from basira.finance.lists.base import open_binary

    bomb = gzip.compress(b"<e/>" * (4 << 20))  # 16 MiB inflated from about 16 KB
    assert len(bomb) < 100_000
    stream = open_binary(io.BufferedReader(io.BytesIO(bomb)), max_bytes=1 << 20)
    with pytest.raises(ContentTooLarge, match="inflates"):
        while stream.read(1 << 16):
            pass


def test_a_gzip_bomb_through_the_cli_is_a_clear_refusal(tmp_path: Path) -> None:
    from tests.cli.conftest import Cli

    bomb = tmp_path / "list.xml.gz"
    bomb.write_bytes(gzip.compress(b"<CONSOLIDATED_LIST>" + b"x" * (3 << 20) + b"</CONSOLIDATED_LIST>"))
    cli = Cli({"BASIRA_DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}", "BASIRA_DATA_DIR": str(tmp_path / "d"),
               "BASIRA_SECRET_KEY": "k", "COLUMNS": "200"}, tmp_path / "d")
    cli.ok("org", "create", "acme")
    result = cli("lists", "import", "un", str(bomb))
    assert result.exit_code == 65 and "longer than" in result.output


def test_the_xml_gap_counts_across_chunks() -> None:
    reader = LimitedReader(io.BytesIO(b"<a>" + b"x" * 5000 + b"</a>"), what="f", max_gap=4000, delimiter=b"<")
    with pytest.raises(ContentTooLarge):
        while reader.read(1000):
            pass
    fine = limited(io.BytesIO(b"<a>" + b"x" * 3000 + b"</a>" * 1000), what="f", max_gap=4000, delimiter=b"<")
    assert len(fine.read()) == 3 + 3000 + 4000


def test_upload_files_left_by_a_crash_are_removed_at_start(instance: Instance) -> None:
    from basira.api.app import create_app

    folder = instance.settings.data_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / "upload-old", folder / "upload-fresh"
    old.write_bytes(b"x" * 1000)
    fresh.write_bytes(b"y")
    an_hour_ago = time.time() - 2 * 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    with TestClient(create_app(instance)):
        pass
    assert not old.exists() and fresh.exists()  # a fresh one may be another worker's upload in flight


def test_decodes_share_one_pixel_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "WAIT_S", 0.2)
    pool = budget.PixelBudget(1000)
    entered = threading.Event()
    release = threading.Event()

    def big() -> None:
        with pool.hold(800):
            entered.set()
            release.wait(5)

    t = threading.Thread(target=big)
    t.start()
    entered.wait(5)
    with pytest.raises(Busy) as refused:
        with pool.hold(300):
            pass
    assert refused.value.extra["retry_after"] >= 1
    with pool.hold(200):  # what is left still serves
        assert pool.in_use == 1000
    release.set()
    t.join()
    with pool.hold(5000):  # larger than the budget: runs alone
        assert pool.in_use == 1000


def test_the_api_answers_503_when_the_pixel_budget_is_spent(client: TestClient, admin_key: str,
                                                            instance: Instance,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.api.helpers import encode, noise_image
    from tests.factories import auth, problem

    monkeypatch.setattr(budget, "WAIT_S", 0.2)
    pool = budget.pixel_budget(instance.settings.image_pixel_budget)
    with pool.hold(pool.capacity):  # four 10,000 x 10,000 decodes at once, say
        r = client.post("/v1/hash", headers=auth(admin_key),
                        files={"file": ("p.png", encode(noise_image(), "PNG"), "image/png")})
    problem(r, 503)
    assert int(r.headers["Retry-After"]) >= 1


def test_a_truncated_gzip_list_is_a_clear_refusal() -> None:
    """Found by the fuzz run (tests/fuzz): a cut .gz list ended in EOFError, a traceback from the CLI."""
    from basira.core.errors import UnsupportedContent
    from basira.finance.lists import un
    from basira.finance.lists.base import open_binary

    cut = gzip.compress(b"<CONSOLIDATED_LIST>" + b"<x/>" * 1000 + b"</CONSOLIDATED_LIST>")[:-20]
    with pytest.raises(UnsupportedContent, match="truncated"):
        list(un.read(open_binary(io.BufferedReader(io.BytesIO(cut)))))


def test_a_csv_list_with_a_stray_carriage_return_in_its_header_is_a_clear_refusal() -> None:
    """Found by the long fuzz run: csv.Error escaped from the header row of a CSV list."""
    from basira.finance.lists import csvlist
    from basira.finance.lists.base import ListFormatError

    with pytest.raises(ListFormatError, match="header row cannot be read"):
        list(csvlist.read(io.BytesIO(b"ref,na\rme\nX1,A\n")))
