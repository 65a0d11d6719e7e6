"""The HTTP API (FastAPI): one router per area, wired in :func:`basira.api.app.create_app`."""
