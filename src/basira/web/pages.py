"""Web pages, mounted on the API app."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the pages and static assets to ``app``."""
