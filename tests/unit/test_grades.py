"""Grade spellings from SIS exports become CEDS codes."""

from __future__ import annotations

import pytest

from kiosk.errors import BadInput
from kiosk.services.inventory import normalise_grade


@pytest.mark.parametrize(
    ("value", "grade"),
    [("K", "KG"), ("kindergarten", "KG"), ("0", "KG"), ("Pre-K", "PK"), ("-1", "PK"), ("1", "01"), (9, "09"),
     (" 12 ", "12"), ("07", "07"), (None, None), ("", None), ("  ", None)],
)  # fmt: skip
def test_spellings(value, grade):
    assert normalise_grade(value) == grade


@pytest.mark.parametrize("value", ["13", "senior", "5.0", "G5"])
def test_not_grades(value):
    with pytest.raises(BadInput, match="is not a grade; use PK, KG or 01-12"):
        normalise_grade(value)
