"""The reconciliation narrowed to a site or a station, empty days, bad input, a balance that fails, end of day."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import tracemalloc

import pytest

from kiosk.errors import BadInput
from kiosk.ledger import BulkChain
from kiosk.reports import REPORTS, end_of_day, end_of_day_result, export_reconciliation, reports_folder
from kiosk.reports.scope import parse_day
from models import Device, Event, Loan, utcnow
from tests.integration.test_reports_support import build_day, day_events, load, table


@pytest.fixture
def day(district):
    return build_day(district)


def test_a_site_keeps_the_events_that_touch_it(day, tmp_path):
    result = export_reconciliation(tmp_path / "es.xlsx", day.config, day=day.day, site="es")
    wb = load(tmp_path / "es.xlsx")
    rows = table(wb["Transactions"], "Transactions")
    assert result.where == "ES (Oak Elementary)"
    assert sorted((r["Action"], r["Asset tag"]) for r in rows) == [("issued", "TB1"), ("transferred", "CB4")]
    assert [r["Site"] for r in table(wb["Summary"], "DevicesOut")] == ["ES"]
    assert [r["Asset tag"] for r in table(wb["Outstanding"], "OnLoan")] == ["TB1"]
    assert table(wb["Exceptions"], "Exceptions")[0]["Exception"] == "Confirmed warning: model not meant for the student"
    assert result.balanced and result.events == 2


def test_a_station_keeps_its_own_events(day, tmp_path):
    result = export_reconciliation(tmp_path / "d2.xlsx", day.config, day=day.day, station="desk-2")
    wb = load(tmp_path / "d2.xlsx")
    rows = table(wb["Transactions"], "Transactions")
    # HOT1 was in storage: the issue moved it to the student's school first (its own event).
    assert [(r["Station"], r["Action"], r["Asset tag"]) for r in rows] == [
        ("desk-2", "transferred", "HOT1"),
        ("desk-2", "issued", "HOT1"),
    ]
    assert len(rows) == len(day_events(day, "desk-2")) == result.events
    assert [r["Station"] for r in table(wb["Stations"], "Stations")] == ["desk-2"]
    # The balance still counts every station: devices out at HS changed at both desks.
    assert result.balanced
    texts = [c.value for row in wb["Summary"].iter_rows(max_col=1) for c in row if c.value]
    assert any("every station's events" in t for t in texts)


def test_an_empty_day_gives_a_valid_workbook_that_says_so(day, tmp_path):
    path = tmp_path / "empty.xlsx"
    result = export_reconciliation(path, day.config, day=day.day - dt.timedelta(days=30))
    assert result.empty and result.events == 0 and result.balanced
    wb = load(path)
    texts = [c.value for row in wb["Summary"].iter_rows(max_col=1) for c in row if c.value]
    assert "This day is empty: no events were recorded for all sites." in texts
    assert table(wb["Transactions"], "Transactions")[0]["Time"] == "No events were recorded on this day."
    assert table(wb["Exceptions"], "Exceptions")[0]["Time"] == "No exceptions on this day."
    assert table(wb["Stations"], "Stations")[0]["Station"] == "No scans were recorded on this day."
    assert wb.sheetnames == ["Summary", "Transactions", "Outstanding", "Exceptions", "Fees", "Stations", "Audit"]


def test_a_loan_the_ledger_does_not_explain_fails_the_check(day, tmp_path):
    # CB3's loan record claims it was out since yesterday, but the ledger kept it in storage until today.
    loan = Loan.select().join(Device).where(Device.asset_tag == "CB3").get()
    Loan.update(issued_at=loan.issued_at - dt.timedelta(days=1)).where(Loan.id == loan.id).execute()
    result = export_reconciliation(tmp_path / "bad.xlsx", day.config, day=day.day)
    assert result.sites_failed == ("STORE",) and not result.balanced
    wb = load(tmp_path / "bad.xlsx")
    lines = {r["Site"]: r for r in table(wb["Summary"], "DevicesOut")}
    store = lines["STORE"]
    assert (store["Out at start"], store["Expected at end"], store["Out at end"], store["Check"]) == (1, 1, 0, "FAILED")
    assert lines["HS"]["Check"] == "passed"
    failed = [r for r in table(wb["Exceptions"], "Exceptions") if r["Exception"] == "Does not add up"]
    assert len(failed) == 1 and "Site STORE" in failed[0]["Details"]
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(max_row=12) if r[0].value}
    assert summary["Balance check"] == "FAILED at STORE"


@pytest.mark.parametrize(
    ("kwargs", "output", "message"),
    [
        ({"site": "NOWHERE"}, "x.xlsx", "No location has code NOWHERE"),
        ({"station": "ghost"}, "x.xlsx", "No station named ghost"),
        ({}, "x.csv", "must end in .xlsx"),
        ({}, "missing/x.xlsx", "does not exist"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(day, tmp_path, kwargs, output, message):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BadInput, match=message):
        export_reconciliation(out / output, day.config, day=day.day, **kwargs)
    assert list(out.iterdir()) == []


def test_dates(config):
    assert parse_day("2026-08-28", config) == dt.date(2026, 8, 28)
    assert parse_day("yesterday", config) == parse_day(None, config) - dt.timedelta(days=1)
    for bad in ("28/08/2026", "2026-02-30", "soon"):
        with pytest.raises(BadInput, match="YYYY-MM-DD"):
            parse_day(bad, config)


def test_a_day_that_has_not_begun_is_refused(day, tmp_path):
    with pytest.raises(BadInput, match="has not begun"):
        export_reconciliation(tmp_path / "x.xlsx", day.config, day=day.day + dt.timedelta(days=2))


def test_an_existing_file_is_replaced_with_a_private_one(day, tmp_path):
    path = tmp_path / "eod.xlsx"
    path.write_text("old")
    os.chmod(path, 0o644)
    export_reconciliation(path, day.config, day=day.day)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load(path).sheetnames[0] == "Summary"


def test_end_of_day_writes_to_the_configured_folder_with_progress(day, tmp_path):
    folder = tmp_path / "reports" / "eod"
    config = day.config.with_overrides()
    config = type(config)(**{**config.__dict__, "extra": {"reports": {"folder": str(folder)}}})
    assert reports_folder(config) == folder
    seen: list[tuple[float, str]] = []
    path = end_of_day(config, progress=lambda fraction, text: seen.append((fraction, text)))
    assert path.parent == folder and path.name.startswith(f"reconciliation-{day.day.isoformat()}-HS-")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert str(path) in seen[-1][1]
    rows = table(load(path)["Summary"], "DevicesOut")
    assert [r["Site"] for r in rows] == ["HS"]
    result = end_of_day_result(config, tmp_path / "other")
    assert result.path.parent == tmp_path / "other" and result.where.startswith("HS")


def test_the_reports_folder_defaults_to_the_data_directory(config, monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path))
    assert reports_folder(config) == tmp_path / "reports"
    bad = type(config)(**{**config.__dict__, "extra": {"reports": {"folder": 7}}})
    with pytest.raises(BadInput, match="folder"):
        reports_folder(bad)


def _bulk_day(n: int, config) -> None:
    chain = BulkChain.open("bulk-desk")
    now = utcnow() - dt.timedelta(minutes=5)
    rows = [
        chain.row(
            "rejected", now, operator="OP1", details={"scan": f"X{k}", "reason": "No such code.", "mode": "ISSUE"}
        )
        for k in range(n)
    ]
    fields = [f for f in rows[0] if f != "id"]
    for k in range(0, n, 500):
        Event.insert_many([[r[f] for f in fields] for r in rows[k : k + 500]], fields=fields).execute()
    chain.close()


def test_memory_does_not_grow_with_the_number_of_events(day, tmp_path):
    peaks = []
    for n, name in ((1500, "a"), (6000, "b")):
        _bulk_day(n, day.config)
        tracemalloc.start()
        export_reconciliation(tmp_path / f"{name}.xlsx", day.config, day=day.day)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert len(table(load(tmp_path / "b.xlsx")["Transactions"], "Transactions")) > 7500
    # Four times the events (and their refused-scan rows) must not cost much more memory.
    assert peaks[1] < peaks[0] * 1.5, peaks


@pytest.mark.skipif(
    not (shutil.which("libreoffice") or shutil.which("soffice")),
    reason="LibreOffice (libreoffice or soffice) is not installed; the headless conversion check is skipped",
)
def test_libreoffice_opens_every_workbook(day, tmp_path):
    written = [export_reconciliation(tmp_path / "eod.xlsx", day.config, day=day.day).path]
    written += [REPORTS[name](tmp_path / f"{name}.xlsx", day.config).path for name in sorted(REPORTS)]
    office = shutil.which("libreoffice") or shutil.which("soffice")
    out = tmp_path / "converted"
    for path in written:
        subprocess.run(
            [office, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--convert-to", "ods",
             "--outdir", str(out), str(path)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        assert (out / f"{path.stem}.ods").stat().st_size > 0, path
