"""The money part of an exercise: the demo's synthetic list and customers, and list updates that the trainer sends
(the ``list_update`` inject): a new version of the list adds a party that is one of the stored customers, and the
monitoring re-screen opens the screening case, as a real list update would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from basira.core.demo import DemoContext, DemoPart
from basira.core.errors import InvalidInput
from basira.core.exercise_hooks import ExerciseContext, ExerciseHook, InjectResult
from basira.core.models import utcnow
from basira.finance import demo
from basira.finance.lists.csvlist import COLUMNS
from basira.finance.lists.store import ImportRequest, import_list
from basira.finance.monitoring import rescreen

#: The party a list update adds by default: the demo's third customer, as a list would write her.
DEFAULT_PARTY: dict[str, str] = {
    "kind": "person", "name": "Salma Youssef al-Khatib", "aliases": "سلمى يوسف الخطيب",
    "birth_dates": "1988-02-17", "nationalities": "Lebanon", "gender": "female",
    "regime": "Demo regime (fictional)", "remarks": "Fictional person, added by an exercise list update."}
DEFAULT_CUSTOMER = "demo-customer-003"
_TEXT_FIELDS = ("name", "aliases", "birth_dates", "nationalities", "gender")


def seed(ctx: ExerciseContext) -> list[DemoPart]:
    """The demo's list and customers, screened once, in the exercise organization."""
    return demo.seed(DemoContext(inst=ctx.inst, admin=ctx.admin, work=ctx.work, files=ctx.files))


def _party(params: Mapping[str, Any], ref: str) -> dict[str, str]:
    party = dict(DEFAULT_PARTY)
    for key in _TEXT_FIELDS:
        value = params.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not 0 < len(value) <= 500:
            raise InvalidInput(f"list_update: {key} is a text of 1-500 characters")
        party[key] = value
    party["ref"] = ref
    party["listed_on"] = utcnow().date().isoformat()
    return party


def list_update(ctx: ExerciseContext, params: Mapping[str, Any]) -> InjectResult:
    """A new version of the exercise list adds one party (``name``, ``aliases``, ``birth_dates``,
    ``nationalities``: the demo's third customer by default); ``customer`` names the customer it should hit."""
    inst = ctx.inst
    customer = params.get("customer", DEFAULT_CUSTOMER)
    if not isinstance(customer, str) or not 0 < len(customer) <= 200:
        raise InvalidInput("list_update: customer is a customer reference")
    version = utcnow().strftime("exercise-%Y%m%dT%H%M%S%f")
    party = _party(params, f"EX.P.{version[-12:]}")
    rows = [*demo.LISTED, party]
    ctx.files.mkdir(parents=True, exist_ok=True)
    path = ctx.files / f"list-{version}.csv"
    path.write_text(demo.csv_text(rows, COLUMNS), encoding="utf-8")
    with inst.db.session() as s:
        report = import_list(s, ctx.admin, inst.registry, ImportRequest(
            source="csv", path=path, bank=demo.LIST_BANK, version=version, tlp="GREEN"), rescreen)
    return InjectResult(summary=f"list update {version}: {party['name']} added", case_keys=[f"customer:{customer}"],
                        records={"listed": party["ref"]}, added={"listed": report.added})


HOOK = ExerciseHook(seed=seed, injects={"list_update": list_update})
