"""Fixed reference data for the demo district: places, catalog, names, money sources.

Kept apart from ``kiosk.demo`` so the builder reads as an algorithm. Nothing here
touches the database; every list is a constant so that a seed alone decides a build.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

GRADES = ("KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
GRADE_WEIGHTS = (1.04, 1.0, 1.0, 1.0, 0.99, 0.99, 0.98, 0.98, 0.97, 1.0, 0.96, 0.93, 0.9)
"""Enrolment per grade: a little fuller in kindergarten, thinner by grade 12 (attrition)."""

DISTRICT = ("DO", "Riverside Unified District Office", "district")
SITES = (
    ("ELM", "Elm Street Elementary School", "school"),
    ("OAK", "Oak Grove Elementary School", "school"),
    ("CED", "Cedar Hills Elementary School", "school"),
    ("MMS", "Madison Middle School", "school"),
    ("JMS", "Jefferson Middle School", "school"),
    ("RHS", "Riverside High School", "school"),
    ("HZN", "Horizon Academy (alternative education)", "school"),
    ("STOR", "Central Storage, Warehouse Room 2", "storage"),
    ("DEPOT", "Technology Repair Depot", "repair"),
    ("PU-N", "North Pickup, Bus Garage Drive-Through", "pickup"),
    ("PU-S", "South Pickup, Community Center", "pickup"),
)
"""Every site but the district office; all of them have the office as parent."""

ELEMENTARY = (("ELM", 0.38), ("OAK", 0.33), ("CED", 0.29))
MIDDLE = (("MMS", 0.55), ("JMS", 0.45))
HIGH = "RHS"
ALTERNATIVE = "HZN"
ALT_SHARE_MIDDLE, ALT_SHARE_HIGH = 0.015, 0.04
"""Share of grades 06-08 and 09-12 enrolled at the alternative-education school."""
STORAGE, REPAIR, PICKUPS = "STOR", "DEPOT", ("PU-N", "PU-S")

SPARE_SCHOOLS = {
    "K2": tuple(code for code, _ in ELEMENTARY),
    "35": tuple(code for code, _ in ELEMENTARY),
    "612": tuple(code for code, _ in MIDDLE) + (HIGH, ALTERNATIVE),
    "hotspot": tuple(code for code, _ in ELEMENTARY + MIDDLE) + (HIGH, ALTERNATIVE),
}
"""Schools where spare devices of each pool wait for a student (staff spares wait at the office)."""


def spare_site(pool: str, rng) -> str:
    """Where an unissued device of ``pool`` waits: storage, a drive-through pickup point, or a school."""
    draw = rng.random()
    if pool == "charger" or draw < 0.35:
        return STORAGE
    if draw < 0.45:
        return PICKUPS[draw < 0.40]
    return DISTRICT[0] if pool == "staff" else rng.choice(SPARE_SCHOOLS[pool])


def homeroom(grade_index: int, rng) -> str:
    """Elementary homerooms are grade rooms (R-101..R-124); secondary ones are advisory rooms on three floors."""
    room = 101 + grade_index * 4 + rng.randrange(4) if grade_index < 6 else rng.randint(1, 3) * 100 + rng.randint(1, 40)
    return f"R-{room}"


SIX_TO_TWELVE = "06,07,08,09,10,11,12"


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class Model(NamedTuple):
    """One catalog entry and how the demo buys it."""

    name: str
    category: str
    manufacturer: str
    eligible_grades: str
    lifespan_years: int
    replacement_cost_cents: int
    damage_fee_cents: int
    aue_date: dt.date | None
    warranty_years: int
    serial_prefix: str
    """Never a prefix of another model's, so serials of two models cannot collide."""
    serial_length: int
    bought: tuple[int, int]
    """First and last year of purchase."""
    pool: str
    """Who gets it: K2, 35 and 612 (grade bands), staff, hotspot, charger (never lent)."""


CATALOG = (
    Model("Apple iPad 10.2-inch (9th generation) 64GB", "tablet", "Apple", "KG,01,02", 4, 32900, 5500, None,
          2, "DMP", 9, (2022, 2024), "K2"),
    Model("Lenovo 100e Chromebook Gen 3", "chromebook", "Lenovo", "03,04,05", 5, 27900, 4500, _d("2030-06-01"),
          3, "PF", 8, (2022, 2025), "35"),
    Model("HP Fortis 14 G10 Chromebook", "chromebook", "HP", SIX_TO_TWELVE, 5, 38900, 6000, _d("2033-06-01"),
          3, "5CD", 7, (2023, 2026), "612"),
    Model("Acer Chromebook 314 C933", "chromebook", "Acer", SIX_TO_TWELVE, 5, 31900, 5000, _d("2026-06-01"),
          3, "NX", 10, (2020, 2021), "612"),
    Model("Dell Latitude 3440", "laptop", "Dell", "", 5, 94900, 15000, None, 4, "J", 6, (2022, 2025), "staff"),
    Model("Franklin T10 Mobile Hotspot", "hotspot", "Franklin Wireless", "", 3, 9900, 2500, None,
          1, "FT", 9, (2021, 2022), "hotspot"),
    Model("USB-C 45W Chromebook Charger", "charger", "HP", "", 3, 2900, 2900, None, 1, "CHG", 7, (2021, 2025),
          "charger"),
    Model("Apple 20W USB-C Power Adapter", "charger", "Apple", "", 3, 1900, 1900, None, 1, "C1", 8, (2022, 2024),
          "charger"),
)  # fmt: skip
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def serial_number(model: Model, index: int, seed: int) -> str:
    """A manufacturer-looking serial for the ``index``-th device.

    Multiplying by a number prime to 36 is a bijection modulo 36**length, so no
    two devices of one model share a serial, and prefixes keep models apart.
    """
    value, chars = (index * 0x9E3779B97F4A7C15 + seed * 1_000_003) % 36**model.serial_length, []
    for _ in range(model.serial_length):
        value, digit = divmod(value, 36)
        chars.append(_BASE36[digit])
    return model.serial_prefix + "".join(reversed(chars))


OLDER_612_SHARE = 0.35
"""Share of the 06-12 pool that is still the older Acer (past its AUE date: next year's replacements)."""

ALIASES = (
    ("ipad 9th gen", 0), ("ipad 9", 0), ("apple ipad 10.2 9th generation", 0),
    ("lenovo 100e gen 3", 1), ("lenovo 100e g3", 1), ("100e chromebook 3rd gen", 1),
    ("hp fortis 14", 2), ("hp fortis 14 g10", 2), ("fortis g10 cb", 2),
    ("acer cb 314", 3), ("acer chromebook 314", 3), ("c933", 3),
    ("dell 3440", 4), ("latitude 3440", 4),
    ("franklin t10", 5), ("t10 hotspot", 5),
)  # fmt: skip
"""Other spellings seen in purchase orders and legacy spreadsheets: (normalised alias, CATALOG index)."""


def funding_source(pool: str, year: int, draw: float) -> str:
    """The money a purchase came from, as a district would record it for that year."""
    if pool == "hotspot":
        return "Emergency Connectivity Fund" if year == 2021 else "E-Rate"
    if pool == "charger":
        return "General Fund"
    if year <= 2020:
        return "ESSER I (CARES Act)"
    if year == 2021:
        return "ESSER II"
    if year <= 2024:
        return "Title I, Part A" if draw < 0.1 else "ESSER III"
    return "Technology Bond 2024" if draw < 0.4 else "General Fund"


OPERATORS = (
    ("OP-1001", "Olivia Reyes", "operator", "1234"),
    ("TECH-2001", "Marcus Chen", "technician", "2468"),
    ("ADMIN-3001", "Dana Whitfield", "admin", "135790"),
)
"""The demo's operators: (badge, name, role, PIN). The PINs are printed by ``kiosk demo``."""

REPAIR_PROBLEMS = (
    "Cracked screen",
    "Keyboard keys missing",
    "Does not charge",
    "Hinge broken",
    "Liquid damage",
    "Will not power on",
    "Trackpad unresponsive",
    "Charging port loose",
)

FIRST_NAMES = (
    "Aaliyah", "Aarav", "Abigail", "Adrian", "Aiden", "Alejandro", "Alexis", "Amara", "Amelia", "Andrés",
    "Angel", "Anika", "Aria", "Ava", "Benjamin", "Brooklyn", "Caleb", "Camila", "Carter", "Chloe",
    "Daniel", "David", "Destiny", "Diego", "Dylan", "Elena", "Elijah", "Ella", "Emily", "Emma",
    "Ethan", "Evelyn", "Fatima", "Gabriel", "Genesis", "Grace", "Hannah", "Hazel", "Hiroshi", "Ibrahim",
    "Imani", "Isabella", "Isaiah", "Jackson", "Jada", "Jamal", "Jayden", "Jasmine", "José", "Joshua",
    "Julian", "Kai", "Kayla", "Kenji", "Layla", "Leah", "Liam", "Lily", "Logan", "Lucas",
    "Luna", "Malik", "Maria", "Mason", "Mateo", "Maya", "Mia", "Mohammed", "Naomi", "Nathan",
    "Nia", "Noah", "Nora", "Oliver", "Olivia", "Omar", "Priya", "Riley", "Ryan", "Samuel",
    "Santiago", "Sarah", "Scarlett", "Sebastian", "Sofia", "Sophia", "Tatiana", "Thiago", "Trinity", "Valentina",
    "Wei", "William", "Xavier", "Yusuf", "Zara", "Zoë", "Ximena", "Declan", "Siobhan", "Nikolai",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Ahmed", "Alvarez", "Anderson", "Baker", "Bautista", "Brown", "Campbell", "Castillo", "Chen",
    "Clark", "Cruz", "Davis", "Diaz", "Dubois", "Edwards", "Evans", "Flores", "Garcia", "García",
    "Gomez", "Gonzalez", "Green", "Gupta", "Hall", "Harris", "Hernandez", "Hill", "Huang", "Jackson",
    "Johnson", "Jones", "Kim", "King", "Kowalski", "Lee", "Lewis", "Lopez", "Martin", "Martinez",
    "Mendoza", "Miller", "Mitchell", "Moore", "Morales", "Müller", "Murphy", "Nelson", "Nguyen", "Novak",
    "O'Brien", "Okafor", "Ortiz", "Patel", "Perez", "Phillips", "Ramirez", "Reed", "Reyes", "Rivera",
    "Roberts", "Robinson", "Rodriguez", "Rossi", "Sanchez", "Santos", "Scott", "Shah", "Silva", "Singh",
    "Smith", "Smith-Jones", "Sullivan", "Tanaka", "Taylor", "Thomas", "Thompson", "Torres", "Tran", "Turner",
    "Walker", "Washington", "Watson", "White", "Williams", "Wilson", "Wright", "Yamamoto", "Young", "Zhang",
    "Abdullah", "Begay", "Yazzie", "Haddad", "Ivanova", "Kaur", "Mensah", "Osei", "Pham", "Le",
)  # fmt: skip
