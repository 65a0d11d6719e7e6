"""Helpers for the HTTP API tests: a client wrapper that sends a key, a problem+json check, generated photos."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


class Api:
    """The test client with a default key; ``as_(key)`` gives the same client with another key."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.key = key

    def as_(self, key: str) -> Api:
        return Api(self.client, key)

    def request(self, method: str, url: str, **kw: Any) -> Any:
        headers = {**auth(self.key), **kw.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kw)

    def get(self, url: str, **kw: Any) -> Any:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.request("POST", url, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.request("PATCH", url, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.request("DELETE", url, **kw)

    def bank(self, name: str, tlp: str = "AMBER", **extra: Any) -> dict[str, Any]:
        r = self.post("/v1/banks", json={"name": name, "tlp": tlp, **extra})
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def add(self, bank: int | str, signal_type: str, value: str, **extra: Any) -> dict[str, Any]:
        r = self.post(f"/v1/banks/{bank}/signals", json={"signal_type": signal_type, "value": value, **extra})
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()["signals"][0]
        return body

    def match(self, *signals: tuple[str, str], **extra: Any) -> Any:
        return self.post("/v1/match", json={
            "signals": [{"signal_type": t, "value": v} for t, v in signals], **extra})


def noise_image(seed: int = 7) -> Image.Image:
    rng = np.random.default_rng(seed)
    # Smooth blobs rather than pixel noise, so that PDQ survives JPEG re-encoding comfortably.
    small = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((256, 256), Image.Resampling.BICUBIC)


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()
