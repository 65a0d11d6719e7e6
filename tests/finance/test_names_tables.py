"""Real Arabic-script / Latin name pairs from the UN Consolidated List, screened against their Latin entries.

Each row is an entry's NAME_ORIGINAL_SCRIPT and the Latin names the list gives for it; the comment says which rule
the pair exercises. The index also holds near-twins (relatives sharing a family name) that must rank below.
"""

from __future__ import annotations

import pytest

from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant

LISTED = {
    "IQi.001": ("SADDAM HUSSEIN AL-TIKRITI", "Abu Ali"),
    "IQi.059": ("HALA SADDAM HUSSEIN AL-TIKRITI",),  # near-twin of IQi.001: same father's and family name
    "IQi.017": ("HAMID RAJA SHALAH AL-TIKRITI", "Hassan Al-Tikriti"),
    "IQi.044": ("YAHIA ABDALLAH AL-UBAIDI",),
    "IQi.076": ("ADIB SHABAN AL-ANI", "Dr. Adib Sha’ban"),
    "QDi.003": ("SALIM AHMAD SALIM HAMDAN",),
    "QDi.057": ("IBRAHIM ALI ABU BAKR TANTOUSH", "Abd al-Muhsin"),
    "QDi.082": ("MOUNIR EL MOTASSADEQ", "Mounir el Moutassadeq"),
    "QDi.203": ("FARHAD KANABI AHMAD", "Kaua Omar Achmed"),
    "QDi.353": ("ALI BEN TAHER BEN FALEH OUNI HARZI", "Abou Zoubair"),
    "QDi.431": ("SANAULLAH GHAFARI", "Dr. Shahab al Muhajir"),
    "TAi.058": ("NOORUDDIN TURABI MUHAMMAD QASIM", "Noor ud Din Turabi"),
    "TAi.079": ("MOHAMMAD SALIM HAQQANI",),
    "TAi.110": ("NOOR MOHAMMAD SAQIB",),
    "TAi.133": ("ABDUL WALI SEDDIQI",),
    "TAi.164": ("ABDUL RAUF ZAKIR", "Qari Zakir"),
    "YEi.008": ("MUHAMMAD ABD AL-KARIM AL-GHAMARI", "Mohammad Al-Ghamari"),
    "QDe.140": ("AL MOULATHAMOUN", "Les Enturbannés"),
}


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(
        NameRecord(ref, tuple(NameVariant(n) for n in names)) for ref, names in LISTED.items()
    )


@pytest.mark.parametrize(
    ("query", "entry"),
    [
        ("صدام حسين التكريتي", "IQi.001"),  # article + nisba; must beat his daughter Hala (IQi.059)
        ("حلا صدام حسين التكريتي", "IQi.059"),  # the near-twin: the extra given name decides
        ("حامد رجا صلاح التكريتي", "IQi.017"),  # ص written SH on the list (Shalah): one letter apart
        ("يحيى عبد الله العبيدي", "IQi.044"),  # alef maqsura, Abd compound written apart, ع dropped
        ("أديب شعبـان العانــي", "IQi.076"),  # tatweel inside the words, hamza on alef
        ("سالم أحمد سالم حمدان", "QDi.003"),  # repeated given name in the nasab chain
        ("ابراهيم علي أبو بكر تنتوش", "QDi.057"),  # kunya Abu Bakr inside a full name
        ("منير المتصدق", "QDi.082"),  # Maghrebi el-, ou for u, ss for ص, q written q
        ("فرهاد كنابي أحمد", "QDi.203"),  # Kurdish name, plain consonants
        ("علي بن الطاھر بن الفالح العوني الحرزي", "QDi.353"),  # Urdu heh (ھ), ben/bin, two nisbas
        ("ثناء اللہ غفاری", "QDi.431"),  # ث as s, Urdu heh, theophoric -ullah fused on the Latin side
        ("نورالدین ترابی محمد قاسم", "TAi.058"),  # Nur-ud-Din fused in both scripts, Persian yeh
        ("محمد سلیم حقانی", "TAi.079"),  # Persian yeh, doubled q
        ("نور محمد ثاقب", "TAi.110"),  # ث written s (Saqib)
        ("عبدالولی صدیقی", "TAi.133"),  # fused Abd compound with article, Persian yeh
        ("عبد الروف ذاکر", "TAi.164"),  # ذ written z (Zakir), Persian keheh
        ("محمد عبدالكريم الغماري", "YEi.008"),  # غ written gh, fused Abd al-Karim
        ("الملثمون", "QDe.140"),  # one-word organization name, ث written th, French ou
    ],
)
def test_arabic_script_name_finds_its_latin_entry(index: NameIndex, query: str, entry: str) -> None:
    hits = index.query(query, limit=3)
    assert hits[0].entry_id == entry, [h.explain() for h in hits]
    assert hits[0].alert and hits[0].score >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("query", "entry"),
    [
        ("Saddam Husayn al-Takriti", "IQi.001"),  # ay for ei, a for i
        ("Yehia Abdullah Obaidi", "IQi.044"),  # article dropped, Abd compound fused
        ("Abu Zubair", "QDi.353"),  # alias with Abu instead of Abou
        ("Nuruddin Torabi", "TAi.058"),
        ("Mohamed Abdulkarim Elghamari", "YEi.008"),  # fused el-, Abdul for Abd al-
    ],
)
def test_latin_spelling_variant_finds_its_entry(index: NameIndex, query: str, entry: str) -> None:
    hit = index.query(query, limit=1)[0]
    assert hit.entry_id == entry and hit.alert, hit.explain()
