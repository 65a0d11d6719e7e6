"""``basira hash`` and ``basira match``: signals of files, and the demo's example files matched as promised."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from basira.core.models import Item

from .conftest import Cli


def _photo(path: Path) -> Path:
    """A small generated picture with enough edges for PDQ."""
    img = Image.new("RGB", (200, 160), (30, 90, 160))
    draw = ImageDraw.Draw(img)
    draw.ellipse((20, 20, 120, 120), fill=(240, 200, 40))
    draw.rectangle((100, 60, 190, 150), fill=(200, 40, 60))
    img.save(path)
    return path


def test_hash_prints_the_signals_of_a_file(cli_offline: Cli, tmp_path: Path) -> None:
    cli = cli_offline
    f = tmp_path / "note.txt"
    f.write_bytes(b"neutral test text\n")
    result = cli.ok("hash", str(f))
    assert hashlib.sha256(b"neutral test text\n").hexdigest() in result.stdout
    assert hashlib.md5(b"neutral test text\n").hexdigest() in result.stdout
    rows = json.loads(cli.ok("hash", "--json", str(f)).stdout)
    assert rows[0]["content_type"] == "file"
    assert {s["signal_type"] for s in rows[0]["signals"]} == {"md5", "sha256"}


def test_hash_of_a_photo_includes_pdq_with_its_quality(cli_offline: Cli, tmp_path: Path) -> None:
    photo = _photo(tmp_path / "picture.png")
    rows = json.loads(cli_offline.ok("hash", "--json", str(photo)).stdout)
    pdq = [s for s in rows[0]["signals"] if s["signal_type"] == "pdq"]
    assert rows[0]["content_type"] == "photo"
    # One hash of the photo as stored; query-only variants (here the drawing's shapes as a region) say so.
    plain = [s for s in pdq if "variant" not in s.get("details", {})]
    assert len(plain) == 1 and len(plain[0]["value"]) == 64 and plain[0]["quality"] >= 50
    assert pdq[0] == plain[0] and all(s["details"]["variant"] == "region" for s in pdq[1:])


def test_hash_of_missing_empty_or_corrupt_files_is_a_clear_error(cli_offline: Cli, tmp_path: Path) -> None:
    cli = cli_offline
    missing = cli("hash", str(tmp_path / "absent.png"))
    assert missing.exit_code == 66 and "absent.png" in missing.stderr
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert cli("hash", str(empty)).exit_code == 65
    corrupt = tmp_path / "broken.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 20)
    result = cli("hash", str(corrupt))
    assert result.exit_code == 65 and "broken.jpg" in result.stderr


def test_match_of_the_demo_folder_finds_each_example_as_promised(cli: Cli) -> None:
    cli.ok("demo")
    try_dir = cli.data_dir / "demo" / "try"
    result = cli.ok("match", "--org", "demo", "--json", str(try_dir))
    report = json.loads(result.stdout)
    by_name = {Path(f["file"]).name: f for f in report["files"]}
    assert set(by_name) == {"resized-copy.jpg", "exact-copy.png", "harmless-meme.png", "unrelated.png"}

    resized = by_name["resized-copy.jpg"]
    assert resized["status"] == "matched"
    assert {m["signal_type"] for m in resized["matches"]} == {"pdq"}  # new bytes: only the perceptual hash
    assert resized["matches"][0]["bank"]["name"] == "Demo photos"
    assert 0 < resized["matches"][0]["distance"] <= 31

    exact = by_name["exact-copy.png"]
    assert exact["status"] == "matched"
    assert {m["signal_type"] for m in exact["matches"]} == {"pdq", "md5", "sha256"}

    meme = by_name["harmless-meme.png"]
    assert meme["status"] == "suppressed" and meme["matched"] is False
    assert {m["bank"]["name"] for m in meme["matches"]} == {"Demo harmless memes"}

    unrelated = by_name["unrelated.png"]
    assert unrelated["status"] == "no match" and unrelated["matches"] == []
    assert report["summary"] == {"files": 4, "matched": 2, "suppressed": 1, "no_match": 1, "errors": 0}

    # The table, against one bank only, and --no-store records nothing. (The demo recorded items of its own, whose
    # references start with "demo": a photo, a text and a screened customer.)
    with cli.instance().db.session() as s:
        items = s.scalar(select(func.count()).select_from(Item))
        assert s.scalar(select(func.count()).select_from(Item).where(~Item.ref.startswith("demo"))) == 4
    table = cli.ok("match", "--org", "demo", "--no-store", "--bank", "Demo photos", str(try_dir)).stdout
    assert "resized-copy.jpg" in table and "Demo photos" in table
    assert "4 files: 2 matched, 0 suppressed" in table
    with cli.instance().db.session() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == items


def test_match_goes_on_past_a_bad_file_and_exits_non_zero(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "ok.txt").write_bytes(b"hello")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0not really a jpeg")
    os.mkfifo(folder / "pipe")  # reading it would block forever
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)  # never followed
    result = cli("match", "--json", str(folder))
    assert result.exit_code == 66  # the code of the first problem: the FIFO, met while walking
    report = json.loads(result.stdout)
    assert [Path(f["file"]).name for f in report["files"]] == ["ok.txt"]
    assert sorted(Path(e["file"]).name for e in report["errors"]) == ["broken.jpg", "empty.txt", "pipe"]
    assert "broken.jpg" in result.stderr
    assert cli("match", str(tmp_path / "nowhere")).exit_code == 66


def test_match_of_a_url_and_a_text_given_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "Outlets", "--tlp", "green")
    bank_csv = tmp_path / "outlets.csv"
    bank_csv.write_text("signal_type,signal_value\ndomain,example-outlet.org\n", encoding="utf-8")
    cli.ok("bank", "import", "Outlets", str(bank_csv))
    report = json.loads(cli.ok("match", "--url", "https://www.example-outlet.org/x", "--text",
                               "a neutral note about the weather", "--json").stdout)
    by_ref = {f["file"]: f for f in report["files"]}
    assert by_ref["url:1"]["status"] == "matched" and by_ref["text:1"]["status"] == "no match"
    assert {m["signal_type"] for m in by_ref["url:1"]["matches"]} == {"domain"}
    assert report["summary"]["matched"] == 1 and report["errors"] == []
    table = cli.ok("match", "--url", "https://other.example/y").stdout
    assert "url:1" in table and "no match" in table


def test_match_of_an_empty_text_or_of_nothing_is_a_clear_error(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    empty = cli("match", "--text", "")
    assert empty.exit_code == 65 and "text:1: the text is empty" in empty.stderr
    nothing = cli("match")
    assert nothing.exit_code == 65 and "nothing to match" in nothing.stderr


def test_text_files_standard_input_and_json_lines_are_matched_as_text(cli: Cli, tmp_path: Path) -> None:
    from basira.content.text import text_sha256

    paragraph = "The council approved the new bridge over the river after a long debate on its cost."
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "Texts", "--tlp", "green")
    bank_csv = tmp_path / "texts.csv"
    plain = ("\ufeff" + paragraph + "\n").encode("utf-8")
    bank_csv.write_text(f"signal_type,signal_value\ntext_sha256,{text_sha256(paragraph)}\n"
                        f"md5,{hashlib.md5(plain).hexdigest()}\n", encoding="utf-8")
    cli.ok("bank", "import", "Texts", str(bank_csv))
    (tmp_path / "post.txt").write_bytes(paragraph.encode("utf-16"))  # UTF-16 with its byte-order mark
    (tmp_path / "plain.dat").write_bytes(plain)
    report = json.loads(cli.ok("match", "--json", str(tmp_path / "post.txt"), str(tmp_path / "plain.dat")).stdout)
    assert [f["status"] for f in report["files"]] == ["matched", "matched"]
    # Matched as text, and still as a file by its own bytes.
    assert [sorted({m["signal_type"] for m in f["matches"]}) for f in report["files"]] == [
        ["text_sha256"], ["md5", "text_sha256"]]
    piped = json.loads(cli.ok("match", "--json", "--text-file", "-", input=paragraph).stdout)
    assert piped["files"][0]["status"] == "matched"
    lines = tmp_path / "items.jsonl"
    lines.write_text(json.dumps({"text": paragraph, "ref": "post-7"}) + "\n{not json\n"
                     + json.dumps({"url": "https://example.org/a"}) + "\n" + json.dumps({"other": 1}) + "\n",
                     encoding="utf-8")
    bulk = cli("match", "--json", "--jsonl", str(lines))
    assert bulk.exit_code == 65
    out = json.loads(bulk.stdout)
    assert {f["file"]: f["status"] for f in out["files"]} == {"post-7": "matched", "url:items.jsonl:3": "no match"}
    assert sorted(e["file"].rsplit(":", 1)[1] for e in out["errors"]) == ["2", "4"]
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02binary")
    assert cli("match", "--text-file", str(binary)).exit_code == 65
