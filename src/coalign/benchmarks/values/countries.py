"""Country table of the values benchmark: ISO 3166-1 alpha-2 code -> alpha-3, name, region."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

COUNTRIES_FILE = Path(__file__).parent / "data" / "countries.yaml"
UNSPECIFIED = "XX"  # imported records whose country was not given ("Prefer not to say")


class Country(BaseModel):
    """One country."""

    code: str
    alpha3: str
    name: str
    region: str


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """All countries by alpha-2 code (the table order: grouped by region)."""
    data = yaml.safe_load(COUNTRIES_FILE.read_text(encoding="utf-8"))["countries"]
    table = {str(code): Country(code=str(code), **fields) for code, fields in data.items()}
    table[UNSPECIFIED] = Country(
        code=UNSPECIFIED, alpha3="XXX", name="Unspecified", region="Unspecified"
    )
    return table


def regions() -> list[str]:
    """The world regions of the shipped table, in table order (without 'Unspecified')."""
    seen: dict[str, None] = {}
    for c in countries().values():
        if c.code != UNSPECIFIED:
            seen.setdefault(c.region, None)
    return list(seen)


def country(code: str) -> Country:
    """Look a country up by alpha-2 code; ``KeyError`` on an unknown code."""
    try:
        return countries()[code]
    except KeyError:
        raise KeyError(
            f"unknown country code {code!r} (expected an ISO 3166-1 alpha-2 code)"
        ) from None


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("&", "and").replace(".", "").split())


# Spellings used by PRISM/MVPBench and common aliases that differ from the table's names.
_ALIASES = {
    "united states of america": "US",
    "usa": "US",
    "us": "US",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "korea": "KR",
    "korea, republic of": "KR",
    "republic of korea": "KR",
    "vietnam": "VN",
    "turkey": "TR",
    "czech republic": "CZ",
    "ivory coast": "CI",
    "cote divoire": "CI",
    "iran, islamic republic of": "IR",
    "prefer not to say": UNSPECIFIED,
    "unspecified": UNSPECIFIED,
    "": UNSPECIFIED,
}


def lookup_country(text: str) -> Country | None:
    """Find a country by alpha-2, alpha-3 or (normalised) name; None when not in the table."""
    raw = (text or "").strip()
    table = countries()
    if raw.upper() in table and len(raw) == 2:
        return table[raw.upper()]
    key = _norm(raw)
    for c in table.values():
        if raw.upper() == c.alpha3 or key == _norm(c.name):
            return c
    code = _ALIASES.get(key)
    return table.get(code) if code else None
