"""config.load_config with good and bad TOML files."""

from __future__ import annotations

import pytest

from kiosk.config import Config, load_config
from kiosk.errors import BadInput


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "kiosk.toml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_a_full_file_with_sections(write):
    config = load_config(
        write("""
district_name = "Lakeview Unified"
timezone = "America/Chicago"

[station]
name = "desk-1"
station_site = "HS"

[database]
url = "postgresql://kiosk@db/kiosk"

[policy]
eligibility = "block"
owed_fees = "ignore"
owed_threshold_cents = 500
free_breaks_per_year = 2
case_first = 100
case_last = 1999

[scan]
student_pattern = '\\d{6}'
device_pattern = 'T\\d+'
scan_suffix = "#"
strip_aim_id = false

[reports]
logo = "logo.png"
""")
    )
    assert config.district_name == "Lakeview Unified" and config.timezone == "America/Chicago"
    assert (config.station, config.station_site, config.db_url) == ("desk-1", "HS", "postgresql://kiosk@db/kiosk")
    assert (config.eligibility, config.owed_fees, config.owed_threshold_cents) == ("block", "ignore", 500)
    assert (config.free_breaks_per_year, config.case_first, config.case_last) == (2, 100, 1999)
    assert (config.student_pattern, config.device_pattern) == (r"\d{6}", r"T\d+")
    assert config.scan_suffix == "#" and config.strip_aim_id is False
    assert config.extra == {"reports": {"logo": "logo.png"}}
    assert config.max_scan_length == Config().max_scan_length  # untouched defaults


def test_an_empty_file_gives_the_defaults(write):
    assert load_config(write("")) == Config()


def test_a_missing_default_file_is_fine_a_missing_named_file_is_not(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path))
    assert load_config() == Config()
    with pytest.raises(BadInput, match="Config file .*nope.toml does not exist"):
        load_config(tmp_path / "nope.toml")
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(BadInput, match="gone.toml does not exist"):
        load_config()


def test_the_environment_names_the_file(write, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG", str(write('station = "env-desk"')))
    assert load_config().station == "env-desk"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('station = "unterminated', "cannot be read"),
        ("[policy]\neligibility = 'maybe'", "eligibility must be one of warn, block, not 'maybe'"),
        ("owed_fees = 'sometimes'", "owed_fees must be one of ignore, warn, block"),
        ("student_pattern = '(['", "student_pattern is not a valid pattern"),
        ("device_pattern = '*'", "device_pattern is not a valid pattern"),
        ("case_last = 'many'", "case_last must be a whole number, not 'many'"),
        ("case_last = 1.5", "case_last must be a whole number, not 1.5"),
        ("max_scan_length = true", "max_scan_length must be a whole number, not True"),
        ("bell = 'yes'", "bell must be true or false, not 'yes'"),
        ("station = 7", "station must be text in quotes, not 7"),
        ("max_scan_length = 0", "max_scan_length must be at least 1, not 0"),
        ("school_year_start_month = 13", "school_year_start_month must be between 1 and 12, not 13"),
        ("case_first = 10\ncase_last = 5", "case_first must not be greater than case_last"),
    ],
)
def test_bad_files_are_bad_input_with_a_reason(write, text, message):
    with pytest.raises(BadInput, match="Config ") as err:
        load_config(write(text))
    assert message in err.value.message
    assert err.value.exit_code == 2


def test_a_file_that_is_not_text(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(BadInput, match="cannot be read"):
        load_config(path)


def test_with_overrides_ignores_none():
    config = Config(station="a").with_overrides(station=None, station_site="HS")
    assert (config.station, config.station_site) == ("a", "HS")
