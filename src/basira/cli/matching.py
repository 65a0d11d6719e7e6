"""``basira hash`` and ``basira match``: signals of local files, and those files (or texts and URLs given on the
command line) matched against the banks."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from basira.cli.common import (
    JsonOption,
    OrgOption,
    Problem,
    content_of,
    describe_os_error,
    echo_json,
    err,
    os_error_code,
    out,
    principal,
    state,
    walk_files,
)
from basira.content import text as text_content
from basira.content import videodecode
from basira.core import matching
from basira.core.banks import get_bank
from basira.core.errors import BasiraError, ContentTooLarge, InvalidInput
from basira.core.settings import Settings
from basira.core.signals import Content, default_registry
from basira.core.visibility import Access

#: Largest JSON-lines input read at once (about 100 texts of the largest size).
MAX_JSONL_BYTES = 100 * 1_000_000

PathsArg = Annotated[list[Path], typer.Argument(help="Files or folders (folders are walked recursively).")]
OptionalPathsArg = Annotated[list[Path] | None, typer.Argument(
    help="Files or folders (folders are walked recursively); optional with --text or --url.")]


def _problem(path: Path, e: BasiraError | OSError) -> Problem:
    if isinstance(e, BasiraError):
        return Problem(path, e.detail, e.exit_code)
    return Problem(path, describe_os_error(e), os_error_code(e))


def _finish(problems: list[Problem]) -> None:
    """Report the files that failed on stderr and exit with the code of the first failure."""
    for p in problems:
        err.print(f"[red]{escape(str(p.path))}: {escape(p.message)}[/red]", soft_wrap=True)
    if problems:
        raise typer.Exit(problems[0].exit_code)


def hash_files(ctx: typer.Context, paths: PathsArg, as_json: JsonOption = False) -> None:
    """Print the signals of each file (md5, sha256, and pdq for photos); nothing is stored."""
    settings = state(ctx).settings()
    registry = default_registry()
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for path in walk_files(paths, problems):
        try:
            content = content_of(path)
            sigs = matching.extract(registry, settings, content)
        except (BasiraError, OSError) as e:
            problems.append(_problem(path, e))
            rows.append({"file": str(path), "error": problems[-1].message})
            continue
        rows.append({"file": str(path), "content_type": content.content_type, "size": content.size,
                     "signals": [{"signal_type": x.signal_type, "value": x.value,
                                  **({"quality": x.quality} if x.quality is not None else {}),
                                  **({"details": x.details} if x.details else {})} for x in sigs]})
    if as_json:
        echo_json(rows)
    else:
        for row in rows:
            if "error" in row:
                continue
            out.print(f"[bold]{escape(row['file'])}[/bold] ({row['content_type']}, {row['size']} bytes)",
                      soft_wrap=True)
            for sig in row["signals"]:
                quality = f"  quality {sig['quality']}" if "quality" in sig else ""
                out.print(f"  {sig['signal_type']:<8} {sig['value']}{quality}", soft_wrap=True)
    _finish(problems)


def _status(result: dict[str, Any]) -> str:
    if result["matched"]:
        return "matched"
    if result["suppressed"]:
        return "suppressed"
    return "no match"


def _summary_row(result: dict[str, Any]) -> tuple[str, str, str, str]:
    active = [m for m in result["matches"] if not m["suppressed"] and not m["bank"]["negative"]]
    shown = active or result["matches"]
    banks = sorted({m["bank"].get("name") or f"({m['bank']['owner']}, {m['bank']['tlp']})" for m in shown})
    kinds = sorted({m["signal_type"] for m in shown})
    distances = [m["distance"] for m in shown if m["distance"] is not None]
    best = f"{min(distances):g}" if distances else ""
    return ", ".join(banks), ", ".join(kinds), best, _status(result)


def match_paths(
    ctx: typer.Context,
    paths: OptionalPathsArg = None,
    text: Annotated[
        list[str] | None, typer.Option("--text", help="A text to match (a post, a caption; repeatable).")
    ] = None,
    url: Annotated[list[str] | None, typer.Option("--url", help="A URL to match (repeatable).")] = None,
    text_file: Annotated[list[Path] | None, typer.Option(
        "--text-file", help="A file holding one text (UTF-8, or UTF-16 with BOM); '-' reads standard input.")] = None,
    jsonl: Annotated[Path | None, typer.Option(
        "--jsonl", help="JSON lines, one item each: {\"text\": ...} or {\"url\": ...}, with an optional "
                        "\"ref\"; '-' reads standard input.")] = None,
    org: OrgOption = None,
    bank: Annotated[
        list[str] | None, typer.Option("--bank", help="Match only against this bank (name or id; repeatable).")
    ] = None,
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="Record the items and matches (default) or only look.")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Match files, texts (--text, --text-file) and URLs (--url), or JSON lines of them (--jsonl), against every
    bank the organization may match; prints a summary table (or JSON). Texts and URLs are named ``text:N`` and
    ``url:N`` in the order given (a JSON line's own ``ref`` where it has one). A file that holds text (UTF-8, or
    UTF-16 with a byte-order mark, recognised by its content) is matched as text.

    An item that cannot be read or matched is reported, and the others go on.
    The exit status is then that of the first problem: 65 bad content, 66 missing or special file, 77 no permission.
    """
    inst = state(ctx).instance()
    problems: list[Problem] = []
    files = list(walk_files(paths or [], problems))
    texts = list(text or []) + [_read_text_file(f) for f in text_file or []]
    given = [(f"text:{n}", "text", v) for n, v in enumerate(texts, 1)] + \
        [(f"url:{n}", "url", v) for n, v in enumerate(url or [], 1)]
    if jsonl is not None:
        given += _read_jsonl(jsonl, problems)
    if not files and not given and not problems:
        raise InvalidInput("nothing to match: give files or folders, --text TEXT, --text-file FILE, --url URL or "
                           "--jsonl FILE")
    with inst.db.session() as s:
        p, o = principal(s, org)
        bank_ids = ([get_bank(s, p, b.strip(), Access.MATCH_ONLY).id for b in bank] if bank else None)
    results: list[tuple[Path, dict[str, Any]]] = []
    # The bars go to stderr, and only to a terminal, so that --json output and logs stay clean.
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    with progress:
        task = progress.add_task("matching", total=len(files) + len(given))
        file_hashes: dict[Path, list[tuple[str, str]]] = {}
        items: list[tuple[Path, AbstractContextManager[Content]]] = [
            (f, _file_content(f, inst.settings, file_hashes)) for f in files]
        items += [(Path(ref), text_content.as_content(value, inst.settings, kind)) for ref, kind, value in given]
        for path, opened in items:
            try:
                with opened as content, _video_progress(progress, content, path):
                    request = matching.MatchRequest(content=content, ref=str(path),
                                                    signals=file_hashes.get(path, []),
                                                    content_type=content.content_type, bank_ids=bank_ids,
                                                    store=store)
                    # One transaction per item: an item that fails leaves the others recorded.
                    with inst.db.session() as s:
                        results.append((path, matching.match_item(s, p, inst.registry, inst.indexes,
                                                                  inst.settings, request)))
            except (BasiraError, OSError) as e:
                problems.append(_problem(path, e))
            progress.advance(task)

    counts = {"files": len(files) + len(given), "matched": 0, "suppressed": 0, "no_match": 0,
              "errors": len(problems)}
    for _, r in results:
        counts[_status(r).replace(" ", "_")] += 1
    if as_json:
        echo_json({"org": o.slug, "summary": counts,
                   "files": [{"file": str(path), "status": _status(r), **r} for path, r in results],
                   "errors": [{"file": str(x.path), "error": x.message} for x in problems]})
    else:
        _print_table(o.slug, results, counts)
    _finish(problems)


@contextmanager
def _file_content(path: Path, settings: Settings, file_hashes: dict[Path, list[tuple[str, str]]]
                  ) -> Iterator[Content]:
    """A local file as content, opened when the loop reaches it: as text when it holds text (by its content), the
    file's own md5 and sha256 then put in ``file_hashes`` so that it is still matched as a file too."""
    content = content_of(path)
    if content.content_type == "file" and content.size <= text_content.MAX_TEXT_BYTES:
        data = path.read_bytes()
        body = text_content.text_of_bytes(data)
        if body is not None:
            file_hashes[path] = [("md5", hashlib.md5(data, usedforsecurity=False).hexdigest()),
                                 ("sha256", hashlib.sha256(data).hexdigest())]
            with text_content.as_content(body, settings) as as_text:
                yield as_text
            return
    yield content


def _read_stream(path: Path, what: str) -> bytes:
    """The bytes of a file, or of standard input for '-', at most one text's worth more than the limit."""
    limit = text_content.MAX_TEXT_BYTES if what == "text" else MAX_JSONL_BYTES
    if str(path) == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    if len(data) > limit:
        raise ContentTooLarge(f"{path}: over the limit of {limit} bytes for {what}")
    return data


def _read_text_file(path: Path) -> str:
    data = _read_stream(path, "text")
    body = text_content.text_of_bytes(data)
    if body is None:
        raise InvalidInput(f"{path} does not hold text (UTF-8, or UTF-16 with a byte-order mark)")
    return body


def _read_jsonl(path: Path, problems: list[Problem]) -> list[tuple[str, str, str]]:
    """The items of a JSON-lines file; a bad line is reported (with its number) and the others go on."""
    out: list[tuple[str, str, str]] = []
    body = text_content.text_of_bytes(_read_stream(path, "JSON lines"))
    if body is None:
        raise InvalidInput(f"{path} does not hold UTF-8 text")
    for number, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        where = Path(f"{path}:{number}")
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(Problem(where, f"not JSON ({e.msg})", InvalidInput.exit_code))
            continue
        kinds = [k for k in ("text", "url") if isinstance(row, dict) and isinstance(row.get(k), str)]
        if len(kinds) != 1:
            problems.append(Problem(where, 'a line is an object with one string "text" or "url"',
                                    InvalidInput.exit_code))
            continue
        ref = row.get("ref")
        out.append((str(ref)[:300] if isinstance(ref, str | int) and str(ref) else f"{kinds[0]}:{path.name}:{number}",
                    kinds[0], row[kinds[0]]))
    return out


def _video_progress(progress: Progress, content: Content, path: Path) -> AbstractContextManager[None]:
    """A second bar, in seconds of video decoded, while a video's frames are hashed (long videos take a while)."""
    if content.content_type != "video":
        return nullcontext()
    task = progress.add_task(f"decoding {path.name}", total=None)

    @contextmanager
    def bar() -> Iterator[None]:
        try:
            with videodecode.reporting_progress(
                    lambda done, total: progress.update(task, completed=done, total=total)):
                yield
        finally:
            progress.remove_task(task)

    return bar()


def _print_table(slug: str, results: list[tuple[Path, dict[str, Any]]], counts: dict[str, int]) -> None:
    table = Table(title=f"Matches for {slug}")
    table.add_column("file", overflow="fold")
    for name in ("result", "banks", "signal types", "distance"):
        table.add_column(name)
    style = {"matched": "bold red", "suppressed": "yellow", "no match": "green"}
    for path, r in results:
        banks, kinds, best, status = _summary_row(r)
        table.add_row(escape(str(path)), f"[{style[status]}]{status}[/]", escape(banks), kinds, best)
    if results:
        out.print(table)
    out.print(f"{counts['files']} files: {counts['matched']} matched, {counts['suppressed']} suppressed by a "
              f"negative bank, {counts['no_match']} without a match, {counts['errors']} errors.", soft_wrap=True)
