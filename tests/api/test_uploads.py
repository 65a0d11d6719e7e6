"""The upload receiver on its own, fed by a real ASGI receive channel in small chunks: it stops reading as soon
as the limit is passed, writes large files to disk whole, and always deletes its temporary file."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from basira.api.uploads import receive, upload_dir
from basira.core.errors import ContentTooLarge, EmptyContent, InvalidInput
from basira.core.settings import Settings, load_settings

CHUNK = 100


def _request(chunks: list[bytes], content_type: str, pulled: list[int], complete: bool = True) -> Request:
    async def receive_message() -> dict[str, Any]:
        i = len(pulled)
        pulled.append(i)
        if i < len(chunks):
            return {"type": "http.request", "body": chunks[i], "more_body": not complete or i < len(chunks) - 1}
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-type", content_type.encode())],
             "query_string": b""}
    return Request(scope, receive_message)


def _settings(tmp_path: Path, limit: int) -> Settings:
    return load_settings(environ={}, data_dir=tmp_path, max_upload_bytes=limit)


async def _take(request: Request, settings: Settings) -> tuple[str, int, str]:
    async with receive(request, settings) as up:
        digest = hashlib.sha256(up.content.path.read_bytes()).hexdigest()
        return digest, up.content.size, up.text("ref")


def _multipart(payload: bytes, ref: str = "r1") -> list[bytes]:
    body = (b'--B\r\nContent-Disposition: form-data; name="ref"\r\n\r\n' + ref.encode() + b"\r\n"
            b'--B\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + payload + b"\r\n--B--\r\n")
    return [body[i:i + CHUNK] for i in range(0, len(body), CHUNK)]


def test_reading_stops_soon_after_the_limit(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 1000)
    pulled: list[int] = []
    chunks = [b"x" * CHUNK] * 10_000  # a megabyte, sent without Content-Length
    with pytest.raises(ContentTooLarge):
        asyncio.run(_take(_request(chunks, "application/octet-stream", pulled), settings))
    assert len(pulled) <= 1000 // CHUNK + 1
    assert list(upload_dir(settings).iterdir()) == []


def test_multipart_file_over_the_limit_stops_early(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 1000)
    pulled: list[int] = []
    chunks = _multipart(b"y" * 1_000_000)
    with pytest.raises(ContentTooLarge):
        asyncio.run(_take(_request(chunks, "multipart/form-data; boundary=B", pulled), settings))
    assert len(pulled) < 20
    assert list(upload_dir(settings).iterdir()) == []


def test_large_multipart_file_arrives_whole_with_its_fields(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 10_000_000)
    payload = bytes(range(256)) * 12_000  # 3 MB, over python-multipart's in-memory threshold
    pulled: list[int] = []
    chunks = _multipart(payload, ref="item-7")
    digest, size, ref = asyncio.run(_take(_request(chunks, "multipart/form-data; boundary=B", pulled), settings))
    assert (digest, size, ref) == (hashlib.sha256(payload).hexdigest(), len(payload), "item-7")
    assert list(upload_dir(settings).iterdir()) == []


@pytest.mark.parametrize(("chunks", "content_type", "error"), [
    ([b""], "application/octet-stream", EmptyContent),
    (_multipart(b""), "multipart/form-data; boundary=B", EmptyContent),
    ([b"".join(_multipart(b"data"))[:-8]], "multipart/form-data; boundary=B", InvalidInput),  # cut short
    ([b"--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--\r\n"], "multipart/form-data; boundary=B",
     InvalidInput),  # a part without a name
    ([b'--B\r\nContent-Disposition: form-data; name="ref"\r\n\r\n' + b"r" * 10_000 + b"\r\n--B--\r\n"],
     "multipart/form-data; boundary=B", InvalidInput),  # a text field too long
    ([b'--B\r\nContent-Disposition: form-data; name="ref"\r\n\r\n\xff\r\n--B--\r\n'],
     "multipart/form-data; boundary=B", InvalidInput),  # a text field that is not UTF-8
])
def test_bad_uploads_are_refused_and_leave_nothing(tmp_path: Path, chunks: list[bytes], content_type: str,
                                                   error: type[Exception]) -> None:
    settings = _settings(tmp_path, 10_000)
    with pytest.raises(error):
        asyncio.run(_take(_request(chunks, content_type, []), settings))
    assert list(upload_dir(settings).iterdir()) == []


def test_two_files_in_one_request_are_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 10_000)
    one = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc\r\n'
    body = one + one + b"--B--\r\n"
    with pytest.raises(InvalidInput, match="one file"):
        asyncio.run(_take(_request([body], "multipart/form-data; boundary=B", []), settings))


def test_client_that_goes_away_mid_upload_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 10_000)
    with pytest.raises(InvalidInput, match="went away"):
        asyncio.run(_take(_request([b"abc"], "application/octet-stream", [], complete=False), settings))
    assert list(upload_dir(settings).iterdir()) == []


def test_a_json_body_over_the_global_cap_is_refused(database_url: str, tmp_path: Path) -> None:
    """Routes that read JSON whole are protected by the same cap (upload limit plus framing room)."""
    from fastapi.testclient import TestClient

    from basira.api.app import create_app
    from basira.core.instance import Instance
    from basira.core.settings import load_settings

    inst = Instance(load_settings(environ={}, data_dir=tmp_path / "d", database_url=database_url,
                                  max_upload_bytes=10, secret_key="x", worker_interval_s=0))
    with TestClient(create_app(inst)) as c:
        r = c.post("/v1/banks", content=b"[" + b"1," * (1 << 20) + b"1]",
                   headers={"content-type": "application/json"})
    inst.close()
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
