"""Sanctions screening: persons, organizations and wallets against the lists in force, in Basira's vocabulary
(``POST /v1/screen``) and in the shape of yente's ``/match`` (``POST /v1/match/{dataset}``), plus the screening
settings and the lists with their versions.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import BankId, errors
from basira.core.errors import InvalidInput, NotFound
from basira.core.visibility import Access, Visibility
from basira.finance import screening, settings
from basira.finance.lists.history import latest_imports

router = APIRouter(prefix="/v1", tags=["screening"], responses=errors(401))


class QueryIn(BaseModel):
    """One customer or counterparty."""

    id: str = Field(default="", max_length=300, description="Your customer id; cases and monitoring group by it.")
    kind: str = Field(default="person", description="`person`, `organization`, `wallet` or `any`.", max_length=20)
    name: str | None = Field(default=None, max_length=2000, description="A name, any script.")
    names: list[Annotated[str, Field(max_length=2000)]] = Field(default_factory=list, max_length=20,
                                                                 description="More names or aliases.")
    birth_date: str | None = Field(default=None, max_length=40, description="`YYYY-MM-DD`, `YYYY-MM` or `YYYY`.")
    nationality: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=10)
    gender: str | None = Field(default=None, max_length=10, description="`male` or `female`.")
    documents: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=20,
                                                                   description="Passport or id numbers.")
    wallets: list[Annotated[str, Field(max_length=300)]] = Field(
        default_factory=list, max_length=20, description="Addresses, bare or `CURRENCY:ADDRESS` (e.g. `XBT:1A1z...`).")

    def query(self) -> screening.ScreenQuery:
        names = ([self.name] if self.name is not None else []) + list(self.names)
        return screening.ScreenQuery(ref=self.id, kind=self.kind, names=names, birth_date=self.birth_date,
                                     nationality=list(self.nationality), gender=self.gender,
                                     documents=list(self.documents), wallets=list(self.wallets))


class ScreenIn(BaseModel):
    """A batch to screen; ``threshold`` and ``lists`` override the settings for this request only."""

    queries: list[QueryIn] = Field(min_length=1, max_length=screening.MAX_BATCH)
    threshold: float | None = Field(default=None, gt=0, le=1, description="Alert at or above this score.")
    lists: list[BankId] | None = Field(default=None, description="Bank ids of the lists to screen against.")
    limit: int = Field(default=10, ge=1, le=100, description="Most hits per query and list.")
    record: bool = Field(default=True, description="Record alerting hits as matches (they become review cases).")
    monitor: bool = Field(default=True, description="Keep each customer (id and signals) for re-screening when "
                                                    "a list changes.")

    model_config = {"json_schema_extra": {"examples": [{"queries": [
        {"id": "cust-17", "name": "Abu Bakr al-Baghdadi", "birth_date": "1971"},
        {"id": "cust-18", "kind": "wallet", "wallets": ["XBT:12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"]}]}]}}


class SettingsIn(BaseModel):
    """Changes to the screening settings; a field left out stays as it is."""

    threshold: float | None = Field(default=None, gt=0, le=1)
    weights: dict[str, float] | None = Field(default=None, description="Multipliers per feature name (0..5).")
    lists: list[BankId] | None = Field(default=None, description="Bank ids of the lists in force.")
    all_lists: bool = Field(default=False, description="Put every list bank back in force.")


@router.post("/screen", responses=errors(403, 422))
def screen(body: ScreenIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Screen one or a batch of persons, organizations and wallets against the lists in force. Each result names
    the lists and their versions, the settings in force (version included) and, per hit, the score and the named
    features behind it. Alerting hits become `screening_hit` review cases grouped by customer id. One invalid
    query (a name of punctuation only, a birth date such as 1961-13-45, a wallet with a bad checksum) rejects
    the batch with the reason for each."""
    opts = screening.ScreenOptions(threshold=body.threshold, bank_ids=body.lists, limit=body.limit,
                                   record=body.record, monitor=body.monitor)
    with inst.db.session() as s:
        return screening.screen(s, principal, [q.query() for q in body.queries], opts)


@router.get("/screen/settings")
def get_settings(inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """The organization's screening settings: threshold, feature weights, lists in force, version and who changed
    them last (version 0: the defaults)."""
    with inst.db.session() as s:
        return settings.current_settings(s, principal.org_id).as_dict()


@router.put("/screen/settings", responses=errors(403, 422))
def put_settings(body: SettingsIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Change the screening settings (admins). Every change is audited with the values before and after, and the
    new version is shown on every later result."""
    with inst.db.session() as s:
        return settings.update_settings(s, principal, threshold=body.threshold, weights=body.weights,
                                        bank_ids=body.lists, all_lists=body.all_lists).as_dict()


@router.get("/lists")
def lists(inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """The imported lists the organization may screen against, each with its latest import: source, version
    (publication date), entries, and what the import added, changed and removed."""
    with inst.db.session() as s:
        return [row.as_dict() for row in latest_imports(s, principal)]


# -- yente-compatible ---------------------------------------------------------------------------------------------

class EntityExample(BaseModel):
    """A query entity in yente's shape: a FollowTheMoney schema and its properties."""

    schema_: str = Field(alias="schema", max_length=40, examples=["Person"])
    properties: dict[str, list[str] | str] = Field(description="`name`, `birthDate`, `nationality`, "
                                                               "`passportNumber`, `idNumber`, `gender`, `publicKey`.")


class MatchIn(BaseModel):
    """yente's ``/match`` request: queries keyed by your ids."""

    queries: dict[str, EntityExample] = Field(min_length=1, max_length=1000)
    weights: dict[str, float] = Field(default_factory=dict, description="Accepted and ignored: weights are "
                                                                        "screening settings here.")


_SCHEMAS = {"person": "person", "organization": "organization", "company": "organization",
            "legalentity": "any", "thing": "any", "cryptowallet": "wallet"}


def _values(props: dict[str, list[str] | str], *keys: str) -> list[str]:
    out: list[str] = []
    for k in keys:
        v = props.get(k)
        out.extend([v] if isinstance(v, str) else list(v or []))
    return [str(x) for x in out if str(x).strip()]


def _entity(hit: dict[str, Any]) -> dict[str, Any]:
    entry = hit.get("entry") or {}
    lst = hit["list"]
    props: dict[str, list[str]] = {"name": [entry["name"]] if entry.get("name") else []}
    dates = [b.get("date") or f"{b.get('from')}..{b.get('to')}" for b in entry.get("birth_dates", [])]
    if dates:
        props["birthDate"] = dates
    if entry.get("nationalities"):
        props["nationality"] = list(entry["nationalities"])
    if entry.get("regime"):
        props["program"] = [entry["regime"]]
    props["topics"] = ["sanction"]
    kind = entry.get("kind")
    return {"id": f"{lst.get('source') or 'bank'}-{entry.get('ref', '')}", "caption": entry.get("name") or "",
            "schema": "Person" if kind == "person" else "Organization", "properties": props,
            "datasets": [lst.get("name") or ""], "referents": [], "target": True, "first_seen": None,
            "last_seen": lst.get("published"), "last_change": None, "score": hit["score"], "match": hit["alert"],
            "features": hit.get("features", {})}


@router.post("/match/{dataset}", responses=errors(403, 404, 422))
def yente_match(body: MatchIn, inst: InstanceDep, principal: PrincipalDep,
                dataset: Annotated[str, PathParam(description="`default` for the lists in force, or a list bank's "
                                                              "id or name.", max_length=200)],
                threshold: Annotated[float | None, Query(gt=0, le=1)] = None,
                limit: Annotated[int, Query(ge=1, le=100)] = 5,
                algorithm: Annotated[str, Query(max_length=40, description="Accepted for compatibility; Basira "
                                                                           "always uses its own matcher.")] = "best",
                ) -> dict[str, Any]:
    """The shape of yente's `/match`, so that its clients can switch without rewriting: `responses` keyed by your
    query ids, each with `results` (`id`, `caption`, `schema`, `properties`, `score`, `match`, `features`) and
    `total`. Hits are recorded as Basira screening cases grouped by query id."""
    with inst.db.session() as s:
        bank_ids: list[int] | None = None
        if dataset not in ("default", "sanctions"):
            vis = Visibility(s, principal.org_id)
            found = [b.id for b, _ in vis.banks(Access.MATCH_ONLY) if str(b.id) == dataset or b.name == dataset]
            if not found:
                raise NotFound(f"no dataset {dataset!r}")
            bank_ids = found[:1]
        keys = list(body.queries)
        queries = []
        for key in keys:
            ex = body.queries[key]
            kind = _SCHEMAS.get(ex.schema_.lower())
            if kind is None:
                raise InvalidInput(f"query {key[:40]!r}: schema {ex.schema_!r} is not Person, Organization, Company, "
                                   f"LegalEntity or CryptoWallet")
            p = ex.properties
            birth = _values(p, "birthDate")
            queries.append(screening.ScreenQuery(
                ref=key[:300], kind=kind, names=_values(p, "name", "alias", "firstName", "lastName")[:20],
                birth_date=birth[0] if birth else None, nationality=_values(p, "nationality", "citizenship",
                                                                            "country")[:10],
                gender=next(iter(_values(p, "gender")), None), documents=_values(p, "passportNumber", "idNumber")[:20],
                wallets=_values(p, "publicKey")[:20]))
        result = screening.screen(s, principal, queries, screening.ScreenOptions(
            threshold=threshold, bank_ids=bank_ids, limit=limit, monitor=False))
    responses: dict[str, dict[str, Any]] = {}
    for key, res, q in zip(keys, result["results"], body.queries.values(), strict=True):
        ents = [_entity(h) for h in res["hits"] if h.get("entry")][:limit]
        responses[key] = {"status": 200, "results": ents, "total": {"value": len(ents), "relation": "eq"},
                          "query": {"id": key, "schema": q.schema_, "properties": q.properties}}
    features = sorted({f for r in responses.values() for e in r["results"] for f in e["features"]})
    return {"responses": responses, "limit": limit,
            "matcher": {f: {"description": f"Basira name-matcher feature {f} (see docs/finance.md).",
                            "coefficient": float(result["settings"]["weights"].get(f, 1.0))} for f in features}}
