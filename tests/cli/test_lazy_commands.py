"""The root command imports a command's modules only when that command runs: `basira screen` must start in well
under 2 s, and importing every command (sharing, MISP, the video decoder, Dask ...) took longer than screening
ten names. The signal types' heavy libraries (scipy.ndimage, faiss, tldextract) wait for their first use too."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer

from basira.cli.main import PLATFORM, build_app
from basira.core.errors import ConfigurationError
from basira.core.fronts import FrontRegistry

HEAVY = ("scipy.ndimage", "faiss", "tldextract", "basira.cli.sharing", "basira.cli.misp", "basira.cli.matching",
         "basira.core.scan", "distributed")


def test_screen_and_the_signal_types_load_no_heavy_module() -> None:
    code = ("import sys; from typer.testing import CliRunner; from basira.cli.main import build_app; "
            "r = CliRunner().invoke(build_app(), ['screen', '--help']); assert r.exit_code == 0, r.output; "
            "from basira.core.signals import default_registry; default_registry(); "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_each_layer_group_is_named_as_its_module_says() -> None:
    for name, ref, group in PLATFORM:
        module = importlib.import_module(ref.partition(":")[0])
        if group and hasattr(module, "CLI_NAME") and ref.endswith(":cli_app"):
            assert module.CLI_NAME == name


def test_a_group_that_is_not_a_typer_app_is_refused_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = FrontRegistry.from_entry_points()
    monkeypatch.setattr(reg, "cli_refs", lambda: [("broken", "basira.cli.main:PLATFORM")])
    command = typer.main.get_command(build_app(reg))
    with pytest.raises(ConfigurationError, match="not a Typer app"):
        command.get_command(None, "broken")  # type: ignore[attr-defined]
