"""The API's contract written once: reusable ``Annotated`` parameter types with titles and limits, and the
declared error responses (problem+json) that every router attaches to its routes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from basira.api.problems import PROBLEM

#: The largest row id the databases hold (PostgreSQL BIGINT); bigger numbers are refused before any query.
MAX_ID = 2**63 - 1


def _ref(value: str) -> str:
    """A name, or a row id that the database can hold (a digits-only reference is read as an id by core)."""
    if value.isdigit() and (not value.isascii() or int(value) > MAX_ID):
        raise ValueError(f"{value[:40]!r} is not a valid id")
    return value


BankRef = Annotated[str, Path(
    title="Bank",
    description="The bank's numeric id, or the name of one of the caller's own banks.",
    min_length=1, max_length=200, examples=["12", "Partner X PDQ"],
), AfterValidator(_ref)]

OrgRef = Annotated[str, Path(
    title="Organization",
    description="The organization's slug or numeric id.",
    min_length=1, max_length=64, examples=["acme"],
), AfterValidator(_ref)]

UserRef = Annotated[str, Path(
    title="User",
    description="The user's numeric id or username.",
    min_length=1, max_length=200, examples=["rana"],
), AfterValidator(_ref)]

SignalId = Annotated[int, Path(title="Signal id", description="The signal's numeric id.", ge=1, le=MAX_ID)]

KeyId = Annotated[str, Path(
    title="Key id",
    description="The visible id of an API key: the 12 hexadecimal digits after `bsk_` (not the secret).",
    pattern=r"^[0-9a-f]{12}$", examples=["3f9a0c12b7de"],
)]

AfterId = Annotated[int, Query(
    title="After id",
    description="Return signals with an id above this one (pass the last id of the previous page).",
    ge=0, le=MAX_ID,
)]

Limit = Annotated[int, Query(title="Limit", description="The most rows to return.", ge=1, le=1000)]

SignalTypeFilter = Annotated[str | None, Query(
    alias="type", title="Signal type", description="Only signals of this type (e.g. `pdq`, `md5`).",
    min_length=1, max_length=32,
)]

BulkFormat = Annotated[Literal["csv", "jsonl"], Query(
    alias="format", title="Format",
    description="`csv` (header `signal_type,signal_value,labels,tlp,entry_ref,...`, labels `;`-separated) "
                "or `jsonl` (one JSON object per line with the same keys, labels as a list).",
)]

#: A bank id in a request body (the banks to match against).
BankId = Annotated[int, Field(ge=1, le=MAX_ID)]


class Problem(BaseModel):
    """An error as RFC 9457 problem details; some errors add members (``errors``, ``bad_rows``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")


_MEANING: dict[int, str] = {
    400: "The content is empty or the request is malformed.",
    401: "No API key, or a malformed, unknown or revoked one.",
    403: "The key's role (or organization) may not do this.",
    404: "Not found, or not visible to the caller's organization (the two are not told apart).",
    409: "Clashes with the current state (e.g. a duplicate name).",
    413: "The upload is over the instance's size limit.",
    415: "The content cannot be read as the kind it claims to be.",
    422: "The request breaks the schema or a rule; the problem says which (`errors`, `bad_rows`).",
    429: "Over the key's or the organization's rate limit; `Retry-After` (and `retry_after`) says when to retry.",
    503: "The server is at a shared limit (e.g. pixels being decoded); `Retry-After` says when to retry.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Declared error responses for a route: each a problem+json body with a line on when it happens."""
    schema = Problem.model_json_schema()
    return {code: {"description": _MEANING[code], "content": {PROBLEM: {"schema": schema}}} for code in codes}


def inline_schema(model: type[BaseModel] | TypeAdapter[Any]) -> dict[str, Any]:
    """The JSON schema of ``model`` (a model or a type adapter) with its ``$defs`` written in place, for a
    hand-declared request body."""
    schema = model.json_schema() if isinstance(model, TypeAdapter) else model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved
