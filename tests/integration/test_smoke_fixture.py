from kiosk.services import check


def test_district_builds_and_checks_clean(district):
    report = check.check()
    assert report.ok, report.problems
    assert report.devices == 7
