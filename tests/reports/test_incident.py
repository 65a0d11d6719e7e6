"""The drone incident report: built from a real flight through ingest and review, checked against the records;
as JSON, and as HTML and PDF in English and Arabic (right to left, Arabic glyphs embedded)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from tests.factories import open_case

from basira.core.demo import DemoContext
from basira.core.errors import InvalidInput, NotFound
from basira.core.instance import Instance
from basira.core.models import AuditEntry
from basira.core.principal import Principal
from basira.drones.demo import OPERATOR_ID, UAS_ID, seed_drones
from basira.drones.models import DroneAlert, DroneFrame, DroneTrack
from basira.reports import incident
from basira.review.consumer import consume
from basira.review.decisions import DecisionRequest, decide
from basira.review.models import Case
from basira.web.reports_html import render_incident
from basira.web.reports_pdf import to_pdf


@pytest.fixture
def drone_case(instance: Instance, admin: Principal, reviewer: Principal, tmp_path: Path) -> int:
    seed_drones(DemoContext(instance, admin, tmp_path, tmp_path / "files"))
    consume(instance.db.session)
    with instance.db.session() as s:
        case_id = s.scalars(select(Case.id).where(Case.kind == "drone_alert")).one()
        decide(s, reviewer, case_id, DecisionRequest("confirmed", rationale="Flew over the stadium."))
    return case_id


def test_the_report_holds_track_zone_alerts_operator_and_chain_checked_against_the_records_or_is_refused(
        instance: Instance, admin: Principal, drone_case: int) -> None:
    with instance.db.session() as s:
        report = incident.incident_report(s, admin, drone_case)
        track = s.scalars(select(DroneTrack)).one()
        kinds = list(s.scalars(select(DroneAlert.kind).order_by(DroneAlert.id)))
        hashes = list(s.scalars(select(DroneFrame.hash).where(DroneFrame.track_id == track.id)
                                .order_by(DroneFrame.sensor_id, DroneFrame.seq)))
        audited = s.scalars(select(AuditEntry).where(AuditEntry.action == "report.incident")).one()
    assert report["case"]["decisions"][0]["reason"] == "confirmed"
    assert report["track"]["uas_id"] == UAS_ID and report["flight"]["positions"] == track.position_count
    assert [a["kind"] for a in report["alerts"]] == kinds and "ENTER" in kinds
    assert [z["ref"] for z in report["zones"]] == ["demo-stadium"]
    assert report["operator"]["operator_id"] == OPERATOR_ID
    assert (report["operator"]["lat"], report["operator"]["lon"]) == (track.operator_lat, track.operator_lon)
    [sensor] = report["sensors"]
    assert sensor["chain"]["ok"] and sensor["chain"]["frames"] == len(hashes)
    assert report["evidence"]["frames_digest"] == hashlib.sha256("".join(hashes).encode()).hexdigest()
    assert audited.target == f"case:{drone_case}"
    content_case = open_case(instance, admin, "post-1", ["a" * 32])
    with instance.db.session() as s, pytest.raises(InvalidInput, match="no incident report"):
        incident.incident_report(s, admin, content_case)
    with instance.db.session() as s:
        s.get(Case, drone_case).group_key = "track:999999"  # type: ignore[union-attr]
    with instance.db.session() as s, pytest.raises(NotFound, match="no longer kept"):
        incident.incident_report(s, admin, drone_case)


#: An incident report as :func:`incident.incident_report` returns it, small and fixed (the PDF needs no database).
REPORT = {
    "report": "incident", "organization": "مؤسسة المثال", "generated_at": "2027-03-01T12:00:00+00:00",
    "generated_by": "user:lina",
    "case": {"id": 7, "kind": "drone_alert", "status": "decided", "opened_at": "2027-03-01T11:00:00+00:00",
             "due_at": "2027-03-01T11:15:00+00:00", "decisions": [
                 {"reason": "confirmed", "label": "Confirmed", "decided_at": "2027-03-01T11:05:00+00:00",
                  "rationale": "حلّقت فوق الملعب"}]},
    "track": {"uas_id": UAS_ID, "first_seen": "2027-03-01T10:58:00+00:00", "last_seen": "2027-03-01T11:00:00+00:00",
              "verdict": "plausible", "reasons": []},
    "flight": {"positions": 3, "max_alt_m": 460.0, "first": "2027-03-01T10:58:00+00:00",
               "last": "2027-03-01T11:00:00+00:00"},
    "positions": [{"lat": 46.537, "lon": 6.574 + i * 0.006, "alt_m": 460.0} for i in range(3)],
    "operator": {"lat": 46.538, "lon": 6.586, "operator_id": OPERATOR_ID, "reported_at": "2027-03-01T11:00:00+00:00",
                 "reports": 3},
    "alerts": [{"id": 1, "kind": "ENTER", "at": "2027-03-01T10:59:00+00:00", "zone": "الملعب"}],
    "zones": [{"ref": "stadium", "name": "الملعب", "restriction": "PROHIBITED", "lower_m": 0, "upper_m": 150,
               "geometry": {"type": "Point", "coordinates": [6.586, 46.537]}, "radius_m": 400}],
    "sensors": [{"ref": "s1", "name": "", "chain": {"frames": 120, "purged": 0, "ok": True, "problems": []}}],
    "evidence": {"frames": 120, "frames_digest": "ab" * 32},
}


def test_html_and_pdf_in_arabic_run_right_to_left_with_arabic_glyphs() -> None:
    page = render_incident(REPORT, "ar")
    assert 'dir="rtl"' in page and "<svg" in page and "تقرير الحادث" in page
    reader = PdfReader(io.BytesIO(to_pdf(page)))
    fonts = _fonts(reader)
    assert any("Noto-Sans-Arabic" in f for f in fonts), fonts
    width = float(reader.pages[0].mediabox.width)
    xs = _title_x(reader)
    assert xs and min(xs) > width / 2, xs  # the right-to-left title starts on the right half
    english = PdfReader(io.BytesIO(to_pdf(render_incident(REPORT, "en"))))
    assert "Incident report" in english.pages[0].extract_text() and min(_title_x(english)) < width / 2


def _fonts(reader: PdfReader) -> set[str]:
    found = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for ref in (fonts.get_object().values() if fonts else []):
            found.add(str(ref.get_object().get("/BaseFont")))
    return found


def _title_x(reader: PdfReader) -> list[float]:
    """x of the text drawn largest on page 1 (the title)."""
    runs: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            runs.append((size * tm[0] * cm[0], cm[4] + tm[4] * cm[0]))

    reader.pages[0].extract_text(visitor_text=visit)
    biggest = max(s for s, _ in runs)
    return [x for s, x in runs if s == biggest]
