"""``basira subject``: data-subject requests (export, erase); the commands live in :mod:`basira.cli.retention`."""

from __future__ import annotations

from basira.cli.retention import subject_app

CLI_NAME = "subject"
cli_app = subject_app
