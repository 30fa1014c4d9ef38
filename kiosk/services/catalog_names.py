"""Naming conventions for device models and manufacturers: pure functions, no database.

Three forms of a spelling:

- ``alias_text``: lower case, single spaces: what ``CatalogAlias.alias`` stores.
- ``alias_key``: what two spellings are compared by: punctuation and trademark
  signs dropped, "Chrome Book"/"CB" -> "chromebook", "9th Gen"/"Gen9" -> "gen 9",
  company suffixes ("Inc.", "Corp.") and "Hewlett-Packard" -> "hp" folded.
- ``normalise_name``: the display name a new catalog item gets ("hp chrome book
  11 g9 ee" + manufacturer "HP Inc." -> "HP Chromebook 11 G9 EE").
"""

from __future__ import annotations

import difflib
import re
import unicodedata

_TRADEMARKS = re.compile(r"[\u2122\u00ae\u00a9]|\((?:tm|r|c)\)", re.IGNORECASE)
_COMPANY_SUFFIX = r"(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|group|technologies)"
_KEY_RULES = [
    (re.compile(r"\bchrome\s*book\b"), "chromebook"),
    (re.compile(r"\bcb\b"), "chromebook"),
    (re.compile(r"\bhewlett\s*packard\b"), "hp"),
    (re.compile(r"\basustek(?: computer)?\b"), "asus"),
    (re.compile(r"\b(\d+)\s*(?:st|nd|rd|th)\s+gen(?:eration)?\b"), r"gen \1"),
    (re.compile(r"\bgen(?:eration)?\s*(\d+)\b"), r"gen \1"),
    (re.compile(r"\bgeneration\b"), "gen"),
    (re.compile(rf"\b{_COMPANY_SUFFIX}\b"), " "),
]
MANUFACTURERS = {
    "hp": "HP", "hewlett packard": "HP", "hewlett packard enterprise": "HPE", "dell": "Dell", "lenovo": "Lenovo",
    "acer": "Acer", "asus": "ASUS", "asustek computer": "ASUS", "asustek": "ASUS", "apple": "Apple",
    "samsung": "Samsung", "samsung electronics": "Samsung", "google": "Google", "microsoft": "Microsoft",
    "kajeet": "Kajeet", "franklin": "Franklin", "franklin wireless": "Franklin", "verizon": "Verizon",
    "t mobile": "T-Mobile", "tmobile": "T-Mobile", "ctl": "CTL", "cyberpowerpc": "CyberPowerPC",
}  # fmt: skip
"""Manufacturer spellings (after ``alias_key``) and the one name kiosk uses for each."""
WORDS = {
    "chromebook": "Chromebook", "ipad": "iPad", "macbook": "MacBook", "thinkpad": "ThinkPad", "ideapad": "IdeaPad",
    "elitebook": "EliteBook", "probook": "ProBook", "smartspot": "SmartSpot", "mifi": "MiFi", "jetpack": "Jetpack",
    "usb": "USB", "usb-c": "USB-C", "lte": "LTE", "ee": "EE", "wifi": "WiFi", "wi-fi": "Wi-Fi", "5g": "5G", "4g": "4G",
    "ac": "AC", "x360": "x360", "gen": "Gen",
    **{k: v for k, v in MANUFACTURERS.items() if " " not in k},
}  # fmt: skip
"""How kiosk capitalises words it knows, whatever case a file used."""
CATEGORY_WORDS = (
    ("charger", ("charger", "power adapter", "ac adapter", "power supply", "usb-c adapter")),
    ("hotspot", ("hotspot", "hot spot", "mifi", "jetpack", "smartspot", "wireless router")),
    ("chromebook", ("chromebook",)),
    ("tablet", ("ipad", "tablet", "galaxy tab", "surface go", "fire hd")),
    ("laptop", ("laptop", "latitude", "thinkpad", "macbook", "probook", "elitebook", "notebook", "inspiron",
                "ideapad", "vostro", "surface laptop", "travelmate")),
)  # fmt: skip
CATEGORY_ALIASES = {
    "chromebooks": "chromebook", "laptops": "laptop", "notebook": "laptop", "computer": "laptop",
    "tablets": "tablet", "ipad": "tablet", "hotspots": "hotspot", "mifi": "hotspot", "chargers": "charger",
    "power adapter": "charger", "adapter": "charger",
}  # fmt: skip


def _fold(text: str) -> str:
    # Trademark signs go before NFKC, which would turn "™" into the letters "TM".
    return unicodedata.normalize("NFKC", _TRADEMARKS.sub(" ", text or ""))


def alias_text(spelling: str) -> str:
    """The form CatalogAlias stores: lower case, single spaces, trademark signs dropped."""
    return " ".join(_fold(spelling).lower().split())


def alias_key(spelling: str) -> str:
    """The form spellings are compared by; equal keys mean the same model name."""
    text = _fold(spelling).lower().replace("&", " and ")
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # "Inc." and "Gen." lose their dot; "10.2" keeps it
    text = re.sub(r"[^0-9a-z./+]+", " ", text)
    text = re.sub(r"(?<!\d)/|/(?!\d)", " ", text)  # "G9/EE" splits; "10/100" stays
    for pattern, repl in _KEY_RULES:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def compact_key(spelling: str) -> str:
    """Letters and digits of ``alias_key`` only: "G9EE" and "G9 EE" meet here."""
    return re.sub(r"[^0-9a-z]", "", alias_key(spelling))


def numbers(spelling: str) -> tuple[str, ...]:
    """The numbers in a name, in order: models that differ in one (G8 vs G9) are different models."""
    return tuple(str(int(n)) for n in re.findall(r"\d+", alias_key(spelling)))


def normalise_manufacturer(text: str | None) -> str:
    """One spelling per manufacturer: "HP Inc." and "Hewlett-Packard" -> "HP"; unknown names tidied."""
    if not text or not text.strip():
        return ""
    key = alias_key(text)
    if key in MANUFACTURERS:
        return MANUFACTURERS[key]
    words = _fold(text).replace(",", " ").split()
    while len(words) > 1 and re.fullmatch(_COMPANY_SUFFIX, words[-1].lower().rstrip(".")):
        words.pop()
    return _tidy_case(" ".join(words).rstrip("."))


def _tidy_case(text: str) -> str:
    words = text.split()
    shout_or_whisper = text == text.lower() or text == text.upper()
    out = []
    for word in words:
        known = WORDS.get(word.lower())
        if known:
            out.append(known)
        elif re.fullmatch(r"[A-Za-z]{1,2}\d+[A-Za-z]?", word):  # G9, C933, T10: model codes in capitals
            out.append(word.upper())
        elif re.fullmatch(r"\d+[A-Za-z]{1,3}", word):  # 100e, 11e, 9th: as the maker writes them
            out.append(word.lower())
        elif shout_or_whisper and word.isalpha():
            out.append(word.capitalize())
        else:
            out.append(word)
    return " ".join(out)


def normalise_name(spelling: str, manufacturer: str | None = None) -> str:
    """The display name for a new catalog item: spacing, "Chromebook", known capitals, maker in front."""
    text = " ".join(_fold(spelling).split())
    text = re.sub(r"\bchrome[\s-]*book\b|\bcb\b", "Chromebook", text, flags=re.IGNORECASE)
    text = re.sub(
        rf"\b(hp|dell|acer|lenovo|apple|asus)\s+{_COMPANY_SUFFIX}\.?(?=\s|$)", r"\1", text, flags=re.IGNORECASE
    )
    text = re.sub(r"\bhewlett[\s-]*packard\b", "HP", text, flags=re.IGNORECASE)
    maker = normalise_manufacturer(manufacturer)
    if maker and alias_key(maker) not in alias_key(text).split()[:2]:
        text = f"{maker} {text}"
    return _tidy_case(text)


def guess_manufacturer(name: str) -> str:
    """The manufacturer a model name starts with, when kiosk knows it."""
    words = alias_key(name).split()
    for n in (3, 2, 1):
        if len(words) >= n and " ".join(words[:n]) in MANUFACTURERS:
            return MANUFACTURERS[" ".join(words[:n])]
    return ""


def guess_category(name: str, hint: str | None = None) -> str:
    """A catalog category from a file's category column, else from words in the model name."""
    if hint:
        key = " ".join(hint.lower().split())
        key = CATEGORY_ALIASES.get(key, key)
        if key in ("chromebook", "laptop", "tablet", "hotspot", "charger", "other"):
            return key
    text = alias_key(name)
    for category, words in CATEGORY_WORDS:
        if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
            return category
    return "other"


def similarity(a: str, b: str) -> float:
    """How alike two spellings are, 0..1 (difflib over the keys, and over their sorted words)."""
    ka, kb = alias_key(a), alias_key(b)
    if ka == kb:
        return 1.0
    direct = difflib.SequenceMatcher(None, ka, kb).ratio()
    sorted_a, sorted_b = " ".join(sorted(ka.split())), " ".join(sorted(kb.split()))
    return max(direct, difflib.SequenceMatcher(None, sorted_a, sorted_b).ratio())
