"""The money part of the demo: a small generated sanctions list of fictional parties, imported like a national list,
and three customers screened against it, one of whom is listed under another spelling (a screening case).

Every name is invented for the demo (a fictional group and its fictional members); the list goes through the CSV
list importer and the customers through the screening service, exactly as a compliance officer's files would.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from basira.core.demo import DemoContext, DemoPart
from basira.finance import screening
from basira.finance.lists.csvlist import COLUMNS
from basira.finance.lists.store import ImportRequest, import_list
from basira.finance.models import Customer
from basira.finance.monitoring import rescreen

LIST_BANK = "Demo sanctions list"
LIST_VERSION = "2027-01"
#: The fictional parties of the demo list (the CSV list form's columns; see ``finance.lists.csvlist``).
LISTED: list[dict[str, str]] = [
    {"ref": "DEMO.P.001", "kind": "person", "name": "Zubayr Qandil al-Fanusi",
     "aliases": "زبير قنديل الفانوسي;Abu Siraj al-Fanusi", "birth_dates": "1979-04-12",
     "nationalities": "Jordan", "gender": "male", "regime": "Demo regime (fictional)", "listed_on": "2026-11-02",
     "remarks": "Fictional person, generated for Basira's demo."},
    {"ref": "DEMO.P.002", "kind": "person", "name": "Maysun Nadira Qutrub",
     "aliases": "ميسون نديرة قطرب", "birth_dates": "~1985", "nationalities": "Tunisia", "gender": "female",
     "regime": "Demo regime (fictional)", "listed_on": "2026-11-02",
     "remarks": "Fictional person, generated for Basira's demo."},
    {"ref": "DEMO.E.001", "kind": "organization", "name": "Grey Lantern Brigade",
     "aliases": "كتائب الفانوس الرمادي;Brigade de la Lanterne grise", "regime": "Demo regime (fictional)",
     "listed_on": "2026-11-02", "remarks": "Fictional group, generated for Basira's demo."},
]
#: Customers of a fictional bank: the first is the listed person in a French-Maghrebi spelling.
CUSTOMERS: list[dict[str, str]] = [
    {"id": "demo-customer-001", "name": "Zoubeir Kandil El Fanoussi", "birth_date": "1979-04-12",
     "nationality": "Jordan"},
    {"id": "demo-customer-002", "name": "Laura Fontaine", "birth_date": "1990-06-01", "nationality": "France"},
    {"id": "demo-customer-003", "name": "سلمى يوسف الخطيب", "birth_date": "1988-02-17", "nationality": "Lebanon"},
]


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _query(row: dict[str, str]) -> screening.ScreenQuery:
    return screening.ScreenQuery(ref=row["id"], kind="person", names=[row["name"]], birth_date=row["birth_date"],
                                 nationality=[row["nationality"]])


def seed_screening(ctx: DemoContext) -> DemoPart:
    """Import the demo list (a second import of the same file is skipped) and screen the demo customers once."""
    inst = ctx.inst
    part = DemoPart("screening", banks=[LIST_BANK])
    folder = inst.settings.data_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    list_file, customers_file = folder / "demo-list.csv", folder / "customers.csv"
    # Kept in the data folder: `basira lists update` reads a list again from where it was imported.
    list_file.write_text(csv_text(LISTED, COLUMNS), encoding="utf-8")
    customers_file.write_text(csv_text(CUSTOMERS, ["id", "name", "birth_date", "nationality"]), encoding="utf-8")
    with inst.db.session() as s:
        report = import_list(s, ctx.admin, inst.registry, ImportRequest(
            source="csv", path=list_file, bank=LIST_BANK, version=LIST_VERSION, tlp="GREEN"), rescreen)
    part.added["listed"] = report.added
    refs = [c["id"] for c in CUSTOMERS]
    with inst.db.session() as s:
        known = set(s.scalars(select(Customer.ref).where(Customer.org_id == ctx.admin.org_id,
                                                         Customer.ref.in_(refs))))
        queries = [_query(c) for c in CUSTOMERS if c["id"] not in known]
        hits = 0
        if queries:
            result = screening.screen(s, ctx.admin, queries)
            hits = sum(len(r["hits"]) for r in result["results"])
    part.added["customers"] = len(queries)
    part.added["hits"] = hits
    part.files.append(customers_file)
    part.expectations[customers_file.name] = ("three customers: 'Zoubeir Kandil El Fanoussi' is the listed "
                                              "'Zubayr Qandil al-Fanusi' (DEMO.P.001); the others have no hit")
    part.commands.append(f"{{basira}} screen {customers_file}")
    return part


def seed(ctx: DemoContext) -> list[DemoPart]:
    """The finance front's demo hook."""
    return [seed_screening(ctx)]
