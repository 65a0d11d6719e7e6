"""What every command shares: the consoles, the lazily built instance, the acting organization, the one
place where errors become a red message and an exit code, and the walk over files and folders.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer
import typer.main
from rich.console import Console
from rich.markup import escape
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from basira.core import orgs
from basira.core.errors import BasiraError, ConfigurationError, EmptyContent, InvalidInput, NotFound
from basira.core.models import Organization
from basira.core.principal import Principal, system_principal
from basira.core.settings import Settings, load_settings
from basira.core.signals import Content
from basira.core.sniff import sniff_file

if TYPE_CHECKING:
    from basira.core.instance import Instance

# Consoles resolve sys.stdout / sys.stderr at each write, so test runners that swap the streams see the output.
# Highlighting is off: it would colour parts of hashes and keys at random.
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

OrgOption = Annotated[
    str | None,
    typer.Option("--org", help="Slug of the organization to act for (default: the only one, or the operator)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


@dataclass
class CliState:
    """Per-invocation state, kept on the root click context; the instance is built on first use only."""

    #: Registers a function to run when the command ends (the root context's ``call_on_close``).
    on_close: Callable[[Callable[[], Any]], Any]
    data_dir: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _instance: Instance | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            overrides: dict[str, Any] = {}
            if self.data_dir is not None:
                overrides["data_dir"] = self.data_dir.expanduser()
            self._settings = load_settings(**overrides)
        return self._settings

    def instance(self) -> Instance:
        if self._instance is None:
            # Imported here: it brings in the migrations (Alembic), which `--help` and `hash` never need.
            from basira.content.hamming import set_query_threads
            from basira.core.instance import Instance

            self._instance = Instance(self.settings())
            set_query_threads(self._instance.settings.index_threads, now=False)
            self.on_close(self._instance.close)
        return self._instance


def state(ctx: typer.Context) -> CliState:
    """The state of this invocation, kept on the root context (made on first use)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState(root.call_on_close)
    return root.obj


def actor() -> str:
    """``cli:<os user>``, the audit actor of every change made from the command line."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers): fall back to the numeric id
        user = f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"cli:{user}"[:64]


def resolve_org(session: Session, ref: str | None) -> Organization:
    """The organization named by ``--org``, else the only one, else the single operator organization."""
    if ref:
        return orgs.get_org(session, ref.strip())
    every = orgs.list_orgs(session)
    if not every:
        raise NotFound("there is no organization yet: create one with `basira org create SLUG` "
                       "or run `basira demo`")
    if len(every) == 1:
        return every[0]
    operators = [o for o in every if o.operator]
    if len(operators) == 1:
        return operators[0]
    raise InvalidInput("there are several organizations: choose one with --org SLUG (see `basira org list`)")


def principal(session: Session, ref: str | None) -> tuple[Principal, Organization]:
    """The admin principal of the chosen organization, acting as ``cli:<os user>``."""
    org = resolve_org(session, ref)
    return system_principal(org.id, actor=actor()), org


# -- errors -----------------------------------------------------------------------------------------------


def os_error_code(e: OSError) -> int:
    """sysexits-style codes, matching those of the BasiraError classes."""
    if isinstance(e, FileNotFoundError | IsADirectoryError | NotADirectoryError):
        return 66
    if isinstance(e, PermissionError):
        return 77
    return 74


def describe_os_error(e: OSError) -> str:
    what = e.strerror or str(e)
    return f"cannot read {e.filename}: {what}" if e.filename else f"input/output error: {what}"


def report_error(e: BasiraError) -> None:
    err.print(f"[bold red]Error:[/bold red] [red]{escape(e.detail)}[/red]", soft_wrap=True)
    bad = e.extra.get("bad_rows")
    if isinstance(bad, list):
        for row in bad:
            err.print(f"  line {row.get('line')}: {escape(str(row.get('reason')))}", soft_wrap=True)
    for key, value in e.extra.items():
        if key != "bad_rows":
            err.print(f"  {escape(key)}: {escape(json.dumps(value, default=str))}", soft_wrap=True)


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]


@dataclass(frozen=True)
class LazyCommand:
    """A command or command group of the root, imported when it is first looked up (its name is run, or
    ``--help`` lists it): ``ref`` is the ``"module:attribute"`` of the command function or the Typer group."""

    name: str
    ref: str
    group: bool

    def load(self) -> Any:
        """The click command (click's or Typer's own copy of it, depending on the Typer version)."""
        from basira.core.fronts import load_ref

        target = load_ref(self.ref)
        if self.group:
            if not isinstance(target, typer.Typer):
                raise ConfigurationError(f"command group {self.name!r} is not a Typer app")
            command: Any = typer.main.get_group(target)
        else:
            if not callable(target):
                raise ConfigurationError(f"command {self.name!r} ({self.ref}) is not callable")
            single = typer.Typer(add_completion=False)
            single.command(self.name)(target)
            command = typer.main.get_command(single)
        command.name = self.name
        return command


class BasiraGroup(TyperGroup):
    """The root command group: the one place where a BasiraError or a file error becomes a message and a code.

    Sub-groups and commands all run inside the root's ``invoke``, so catching here covers every command. The
    commands in ``commands_to_load`` are imported when first looked up (see :class:`LazyCommand`).
    """

    commands_to_load: ClassVar[dict[str, LazyCommand]] = {}

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        lazy = self.commands_to_load.get(cmd_name)
        if lazy is not None and cmd_name not in self.commands:
            self.add_command(lazy.load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.commands_to_load if n not in self.commands)]

    # ``Any``: the context class is click's, or Typer's own copy of it, depending on the Typer version.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BasiraError as e:
            report_error(e)
            raise typer.Exit(e.exit_code) from None
        except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as e:
            report_error(ConfigurationError(f"the database URL is not usable ({_first_line(e)})"))
            raise typer.Exit(ConfigurationError.exit_code) from None
        except sa_exc.DataError as e:
            # PostgreSQL refuses a NUL character (or a value of the wrong shape) that SQLite would store.
            report_error(InvalidInput(f"the database refused a value: {_first_line(e.orig or e)}"))
            raise typer.Exit(InvalidInput.exit_code) from None
        except sa_exc.OperationalError as e:
            # The server is down, refuses the login, or the SQLite file is locked: not a bug of the command.
            err.print(f"[bold red]Error:[/bold red] [red]the database is unavailable or refused the operation: "
                      f"{escape(_first_line(e.orig or e))}[/red]", soft_wrap=True)
            raise typer.Exit(69) from None
        except BrokenPipeError:
            # The reader of our output went away (``basira bank export | head``): nothing to report.
            raise typer.Exit(0) from None
        except OSError as e:
            err.print(f"[bold red]Error:[/bold red] [red]{escape(describe_os_error(e))}[/red]", soft_wrap=True)
            raise typer.Exit(os_error_code(e)) from None


# -- files ------------------------------------------------------------------------------------------------


@dataclass
class Problem:
    """A file or folder that could not be handled, with the message and exit code of its error."""

    path: Path
    message: str
    exit_code: int


def walk_files(paths: Sequence[Path], problems: list[Problem]) -> Iterator[Path]:
    """Regular files named by ``paths``, folders walked recursively in name order.

    A path argument that does not exist stops the command (a typo); an unreadable folder or a special file met
    on the way is added to ``problems`` and the walk goes on. Symbolic links to folders are not followed, so
    a link loop cannot trap the walk.
    """
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(errno.ENOENT, "no such file or folder", str(p))
    for p in paths:
        if p.is_dir():
            yield from _walk_dir(p, problems)
        elif _regular(p, problems):
            yield p


def _walk_dir(root: Path, problems: list[Problem]) -> Iterator[Path]:
    def onerror(e: OSError) -> None:
        problems.append(Problem(Path(e.filename or root), describe_os_error(e), os_error_code(e)))

    for folder, dirs, files in os.walk(root, onerror=onerror):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if _regular(path, problems):
                yield path


def _regular(path: Path, problems: list[Problem]) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError as e:
        problems.append(Problem(path, describe_os_error(e), os_error_code(e)))
        return False
    if not stat.S_ISREG(mode):
        # Reading a FIFO or a device would block or never end.
        problems.append(Problem(path, f"{path} is not a regular file", 66))
        return False
    return True


def content_of(path: Path) -> Content:
    """The file as content to hash or match; its type is recognised from its first bytes."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyContent(f"{path} is empty")
    return Content(path=path, content_type=sniff_file(path), size=size)


def echo_json(value: Any) -> None:
    """JSON on stdout, unwrapped and uncoloured, so that it can be piped."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def bank_ref(ref: str) -> int | str:
    """A bank named on the command line: its id when all digits, else its name."""
    ref = ref.strip()
    return int(ref) if ref.isascii() and ref.isdigit() else ref


def print_refusals(reasons: Sequence[str], skipped_types: dict[str, int], skipped_label: str) -> None:
    """The values an import refused (with their reasons) and the types it could not take, counted."""
    for reason in reasons:
        out.print(f"  rejected: {escape(reason)}", soft_wrap=True)
    if skipped_types:
        skipped = ", ".join(f"{n} {escape(t)}" for t, n in sorted(skipped_types.items()))
        out.print(f"  {skipped_label}: {skipped}", soft_wrap=True)
