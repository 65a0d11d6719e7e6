"""Write tests/data/finance/negative_names_fresh.txt: a second, larger set of negatives for bench/screening.py.

The first negatives file was half used for tuning the matcher. This one was written afterwards (2026-12-04), from a new
vocabulary of common given and family names, and has never been used to tune anything: it is only measured. Names are
drawn per naming tradition (Mashriq/Gulf, Maghrebi, Western, Arabic script) with a fixed seed; a name already in the
first file is skipped. Run: ``.venv/bin/python bench/negatives_fresh.py``.
"""

from __future__ import annotations

import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "finance" / "negative_names_fresh.txt"
OLD = OUT.with_name("negative_names.txt")

GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "mashriq": (
        "Adel Adnan Akram Ali Amal Amir Anas Ashraf Asma Badr Basma Bashir Dalia Ehab Eman Fahad Fares Fouad Ghada "
        "Hafsa Haitham Hana Hani Hatem Issam Jamal Jamila Lamia Maher Marwan Mona Nizar Ossama Rasha Salah Salim Salma "
        "Sami Sanaa Tarek Wafa Wassim Yasmin Zakaria Ghassan Muna Iyad Hala Rola Kinda".split(),
        "Abdallah Aouad Asfour Bakri Bazzi Chami Dabbagh Daoud Fakhoury Frangieh Ghazal Hamoud Hariri Hattab Jaafar "
        "Jabri Kabbani Kassab Khatib Maalouf Mahfouz Makhlouf Nahas Nassif Obeid Sarraf Shami Touma Yazbek Zein Zoghbi "
        "Husseini Ayoubi Qassab Sharif Shehadeh Awad Hammoud Kurdi Nimer".split(),
    ),
    "maghreb": (
        "Ayoub Boualem Chakib Hakim Ilyas Imane Kenza Loubna Mounir Nadir Nawal Noureddine Rabah Ridha Rim Yacine "
        "Younes Zohra Abdelhak Abdelali Fatiha Hayat Latifa Meriem Mohand Ouiza Redouane Slimane Soumia Toufik".split(),
        "Amara Bensaid Bouchareb Chaoui Djebbar Fassi Guerfi Hadj Kadri Lamrani Mekki Naceri Ouahbi Sefrioui Tounsi "
        "Zouaoui Benmoussa Bouazza Cherkaoui Drissi Ferhat Hamdi Kettani Lazrak Mebarki Ouazzani Sbai Tahiri".split(),
    ),
    "western": (
        "Andrew Anne Benjamin Camille Chloe Daniel Elena Felix Hannah Isabelle Jan Julia Laura Louis Lucas Manon "
        "Martina Matteo Nicolas Paul Peter Rachel Simon Sven Valerie Emily Oliver Grace Henry Ines".split(),
        "Baker Becker Bianchi Costa Dupont Evans Fontaine Girard Hall Hoffmann Hughes Janssen Keller Lambert Martinez "
        "Meyer Novak Petit Roberts Romano Santos Taylor Wagner Weber Young Ferrari Jensen Kowalski Murphy "
        "Leroy".split(),
    ),
    "arabic_script": (
        "عادل أسامة سمير جمال نادية هالة ماهر رشا منى إياد باسل رنا غادة مروان نبيل".split(),
        ["الخطيب", "داود", "الشامي", "جعفر", "الأيوبي", "ناصيف", "يزبك", "الحسيني", "المصري", "العلي", "الأحمد",
         "قباني", "معلوف", "الحريري", "شحادة"],
    ),
}
# The final set: a third vocabulary, written at the same time as the fresh one and not measured until the matcher's
# last change; it is the figure that decides the goal.
FINAL_GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "mashriq": (
        "Ammar Anwar Ayham Bakr Diaa Dima Fadia Firas Hadi Haifa Hussam Ibtisam Lama Majd Mazen Mohannad Nada Najwa "
        "Nidal Nuha Qais Raed Raghad Rawan Riad Sahar Sawsan Shadi Suhail Taghreed Thaer Yara Yazan Zaher Zeina "
        "Ola".split(),
        "Attar Azar Baroudi Bitar Dakkak Ghosn Hallak Hasbani Homsi Jammal Kassem Khayat Lahham Maarouf Moussa "
        "Nakhleh Rifai Saab Sabra Sakr Tannous Tarabishi Wehbe Yassin Zahran Zureik".split(),
    ),
    "maghreb": (
        "Abdelghani Aicha Bachir Brahim Chafik Dounia Ghizlane Houcine Jalil Kheira Lahcen Messaoud Mokhtar Nassima "
        "Ouarda Rachida Saliha Smail Tahar Yamina Zoubir Aziza Farida".split(),
        "Aitali Bouhired Belhadj Benchekroun Bensalem Chaabane Daoudi Filali Gharbi Hachemi Haddou Jebli Kaddour "
        "Khelifi Mazouz Moussaoui Rahali Saadi Zerhouni".split(),
    ),
    "western": (
        "Adam Alice Bruno Clara Eva Franz George Hugo Ingrid Jack Klaus Lea Lena Marc Mia Nina Oscar Pablo Rosa Sara "
        "Tom Victor Zoe Agnes Dorothy".split(),
        "Bauer Blanc Carter Collins Cooper Dumont Edwards Garnier Hansen Klein Koch Lefebvre Marino Mercier Morgan "
        "Olsen Parker Perrin Ricci Schulz Silva Turner Vogel Ward Wright".split(),
    ),
    "arabic_script": (
        "حسام رائد فراس مازن نضال هادي يزن سحر رغد ديما قيس شادي".split(),
        "العطار البيطار الحمصي الخياط موسى الرفاعي صعب صقر ياسين زهران النقيب الدقاق".split(),
    ),
}
COUNTS = {"mashriq": 400, "maghreb": 250, "western": 250, "arabic_script": 100}
SETS = (
    ("negative_names_fresh.txt", GROUPS, 20261204, "Fresh negatives"),
    ("negative_names_final.txt", FINAL_GROUPS, 20261205, "Final negatives"),
)


def main() -> None:
    for name, groups, seed, title in SETS:
        write(OUT.with_name(name), groups, seed, title)


def write(path: Path, groups: dict[str, tuple[list[str], list[str]]], seed: int, title: str) -> None:
    old = set()
    for other in (OLD, OUT, OUT.with_name("negative_names_final.txt")):
        if other != path and other.exists():
            old |= {line.strip() for line in other.read_text(encoding="utf-8").splitlines() if line.strip()}
    rng = random.Random(seed)
    out: list[str] = []
    for group, (given, family) in groups.items():
        seen: set[str] = set()
        while len(seen) < COUNTS[group]:
            name = f"{rng.choice(given)} {rng.choice(family)}"
            if name not in old:
                seen.add(name)
        out.extend(sorted(seen))
    header = [
        f"# {title}, written 2026-12-04: common given x family names per naming",
        f"# tradition, seed {seed} (bench/negatives_fresh.py). bench/screening.py measures them as a separate set",
        "# and drops any that an indexed name equals exactly after folding.",
    ]
    path.write_text("\n".join(header + out) + "\n", encoding="utf-8")
    print(f"{len(out)} names -> {path}")


if __name__ == "__main__":
    main()
