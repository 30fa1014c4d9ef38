"""Asset labels: 30 per Avery 5160 sheet, other stock, choosing devices, and the ledger's record of printing."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from kiosk.errors import BadInput, DomainError
from kiosk.labels.assets import write_asset_labels
from kiosk.labels.data import LABELED
from kiosk.services import inventory
from kiosk.services.lookup import lookup
from models import Device, Event
from tests.integration.helpers import assert_check_clean
from tests.integration.test_labels_support import assert_clean_layout, decode, decode_pages, mode, pages

DISTRICT_TAGS = ["CB1", "CB2", "CB3", "CB4", "CB5", "HOT1", "TB1"]


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "out"
    path.mkdir()
    return path


def _add_devices(n: int, site: str = "HS", station: str = "test-station") -> list[str]:
    tags = [f"A{100000 + i}" for i in range(n)]
    for i, tag in enumerate(tags):
        inventory.add_device(tag, f"5CG{i:07d}Q", "HP Chromebook 11 G9 EE", site, station=station)
    return tags


def _labeled() -> Counter:
    return Counter(e.asset_tag for e in Event.select().where(Event.kind == LABELED))


def test_thirty_labels_a_sheet_with_district_tag_and_serial_and_each_device_recorded(district, folder):
    tags = _add_devices(33)
    out = folder / "assets.pdf"
    written = write_asset_labels(out, site="HS", district="Riverside Unified", station="test-station")
    assert written.pages == 2 and written.count == 33
    per_page = decode_pages(out)
    assert [len(codes) for codes in per_page] == [30, 3]
    assert Counter(c for page in per_page for c in page) == Counter(tags)
    text = pages(out)
    words = text[0].text.split()
    assert words.count("Riverside") == 30 and "A100000" in words and "5CG0000000Q" in words
    assert (round(text[0].width), round(text[0].height)) == (612, 792)
    assert_clean_layout(text)
    assert mode(out) == 0o600
    assert _labeled() == Counter(tags)
    event = Event.get((Event.kind == LABELED) & (Event.asset_tag == "A100000"))
    assert json.loads(event.details) == {"layout": "5160", "file": "assets.pdf"}
    assert_check_clean()
    assert any(h.kind == LABELED for h in lookup("A100000", config=district.config).device.history)


def test_unlabeled_prints_only_devices_never_labeled_and_no_mark_keeps_them_so(district, folder):
    first = folder / "first.pdf"
    write_asset_labels(first, tags=["CB1", "TB1"], station="test-station")
    Device.update(status="disposed").where(Device.asset_tag == "CB5").execute()
    proof = folder / "proof.pdf"
    written = write_asset_labels(proof, unlabeled=True, mark=False, station="test-station")
    assert decode(proof) == Counter(["CB2", "CB3", "CB4", "HOT1"])
    assert "no longer count" not in written.sentence
    out = folder / "rest.pdf"
    write_asset_labels(out, unlabeled=True, station="test-station")
    assert decode(out) == Counter(["CB2", "CB3", "CB4", "HOT1"])
    with pytest.raises(DomainError, match="There is no unlabeled device to label"):
        write_asset_labels(folder / "none.pdf", unlabeled=True, station="test-station")
    assert not (folder / "none.pdf").exists()
    assert _labeled() == Counter(["CB1", "TB1", "CB2", "CB3", "CB4", "HOT1"])


def test_tags_print_in_the_order_given_and_unknown_tags_write_nothing(district, folder):
    out = folder / "tags.pdf"
    write_asset_labels(out, tags=["TB1", "CB3", "CB3", "HOT1"], station="test-station")
    assert decode(out) == Counter(["TB1", "CB3", "HOT1"])
    words = pages(out)[0].text.split()
    assert words.index("TB1") < words.index("CB3") < words.index("HOT1")
    before = Event.select().count()
    with pytest.raises(BadInput, match="No device has asset tag NOPE1, NOPE2"):
        write_asset_labels(folder / "bad.pdf", tags=["CB1", "NOPE1", "NOPE2"], station="test-station")
    with pytest.raises(BadInput, match="TB1 not at HS"):
        write_asset_labels(folder / "bad.pdf", tags=["TB1"], site="HS", station="test-station")
    assert Event.select().count() == before
    assert sorted(p.name for p in folder.iterdir()) == ["tags.pdf"]


def test_site_takes_the_sites_under_it(district, folder):
    out = folder / "dist.pdf"
    write_asset_labels(out, site="DIST", mark=False)
    assert decode(out) == Counter(DISTRICT_TAGS)
    write_asset_labels(out, site="ES", mark=False)
    assert decode(out) == Counter(["TB1"])


@pytest.mark.parametrize(
    ("layout", "paper", "per_sheet"),
    [
        ("L7160", (595, 842), 21),
        ("5163", (612, 792), 10),
        ("paper=a4,cols=2,rows=4,width=90mm,height=50mm", (595, 842), 8),
    ],
)
def test_other_label_stock(district, folder, layout, paper, per_sheet):
    tags = _add_devices(per_sheet + 1)
    out = folder / "stock.pdf"
    write_asset_labels(out, tags=tags, layout=layout, station="test-station")
    per_page = decode_pages(out)
    assert [len(p) for p in per_page] == [per_sheet, 1]
    assert Counter(c for p in per_page for c in p) == Counter(tags)
    text = pages(out)
    assert (round(text[0].width), round(text[0].height)) == paper
    assert_clean_layout(text)


def test_skip_leaves_the_used_labels_of_a_sheet_blank(district, folder):
    tags = _add_devices(3)
    out = folder / "skip.pdf"
    write_asset_labels(out, tags=tags, skip=28, station="test-station")
    per_page = decode_pages(out)
    assert [len(p) for p in per_page] == [2, 1]
    first = pages(out)[0]
    # Positions 29 and 30 are the last row's middle and right labels.
    xs = sorted(w.x0 for w in first.words if w.text.startswith("A1000"))
    assert len(xs) == 2 and xs[0] > 612 / 3 and first.words[0].y0 > 792 - 72 - 36


def test_long_serials_and_district_names_shrink_to_their_label(district, folder):
    inventory.add_device("A9", "SERIAL-" + "9" * 40, "HP Chromebook 11 G9 EE", "HS", station="test-station")
    out = folder / "long.pdf"
    write_asset_labels(out, tags=["A9"], district="Ayuntamiento de San José de las Montañas Unified")
    assert decode(out) == Counter(["A9"])
    assert_clean_layout(pages(out))
    label_right = (0.1875 + 2.625) * 72
    words = pages(out)[0].words
    assert max(w.x1 for w in words) <= label_right and {"José", "Montañas", "S/N"} <= {w.text for w in words}


@pytest.mark.parametrize(
    ("layout", "words"),
    [
        ("9999", "Unknown label layout '9999'; use one of 5160"),
        ("paper=a4,cols=3,rows=8", "lacks width, height"),
        ("paper=a4,cols=3,rows=8,width=75mm,height=33.9mm", "do not fit on a4 paper"),
        ("cols=3,rows=8,width=63.5,height=33.9mm", "'63.5' is not a length"),
        ("cols=3,rows=8,width=1in,height=0.5in", "too small"),
        ("cols=3,rows=8,width=63.5mm,height=33.9mm,colour=red", "unknown key 'colour'"),
        ("cols=two,rows=8,width=63.5mm,height=33.9mm", "whole numbers"),
    ],
)
def test_bad_layouts_are_refused_with_the_reason(district, folder, layout, words):
    with pytest.raises(BadInput, match=words.replace("(", r"\(")):
        write_asset_labels(folder / "x.pdf", layout=layout)
    with pytest.raises(BadInput, match="--skip must be between 0 and 29"):
        write_asset_labels(folder / "x.pdf", skip=30)
    assert list(folder.iterdir()) == [] and _labeled() == Counter()
