"""aebook.weblogs: parsing an access log, sessions and their features, classes by evidence."""

from __future__ import annotations

import pandas as pd
import pytest

from aebook.weblogs import (
    FEATURES,
    LogError,
    alert_threshold,
    classify,
    mask_address,
    parse_log,
    sessions,
)

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0 Safari/537.36"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def line(address, time, request, status=200, size="512", referrer="-", agent=CHROME):
    return (f'{address} - - [{time} +0000] "{request}" {status} {size} '
            f'"{referrer}" "{agent}"\n')


LOG = [
    line("10.0.0.1", "17/May/2015:10:00:00", "GET /index.html HTTP/1.1"),
    line("10.0.0.1", "17/May/2015:10:00:10", "GET /style.css HTTP/1.1", referrer="http://x/"),
    line("10.0.0.1", "17/May/2015:10:00:30", "GET /missing HTTP/1.1", status=404, size="-"),
    line("10.0.0.1", "17/May/2015:12:00:00", "GET /index.html HTTP/1.1"),  # after 2 h: a new session
    line("66.249.73.135", "17/May/2015:10:01:00", "GET /robots.txt HTTP/1.1", agent=GOOGLEBOT),
    line("66.249.73.135", "17/May/2015:10:01:05", "HEAD /blog/ HTTP/1.1", status=301, agent=GOOGLEBOT),
    line("203.0.113.9", "17/May/2015:11:00:00", "POST /wp-login.php HTTP/1.1", status=404),
    '203.0.113.9 - - [17/May/2015:11:00:01 +0000] "GET /cut-off HTTP/1.1" 200 12 "-" "Mozilla/5\n',
    "\n",
]


def test_every_line_is_either_a_request_or_a_reported_failure():
    parsed = parse_log(LOG)
    assert len(parsed.requests) == 7
    assert [(number, reason[:20]) for number, _text, reason in parsed.failed] == [
        (8, "Could not match log ")]
    assert parsed.lines == 8  # the empty line is not a request and not a failure
    first = parsed.requests.iloc[0]
    assert (first["method"], first["path"], first["status"]) == ("GET", "/index.html", 200)
    assert parsed.requests["bytes"].iloc[2] == 0  # "-": no body


def test_a_file_that_is_not_an_access_log_is_refused_in_one_sentence():
    with pytest.raises(LogError, match=r"None of the 2 lines is an access-log entry.*pass the log file"):
        parse_log(["a,b,c\n", "1,2,3\n"])


def test_a_pause_longer_than_the_gap_starts_a_new_session():
    s = sessions(parse_log(LOG).requests, gap_minutes=30)
    assert len(s) == 4
    ours = s[s["address"] == "10.0.0.1"].sort_values("start")
    assert ours["requests"].tolist() == [3, 1]
    first = ours.iloc[0]
    assert first["share_4xx"] == pytest.approx(1 / 3)
    assert first["share_static"] == pytest.approx(1 / 3)
    assert first["share_empty_referrer"] == pytest.approx(2 / 3)
    assert first["median_gap_seconds"] == pytest.approx(15)
    assert len(sessions(parse_log(LOG).requests, gap_minutes=180)) == 3
    assert set(FEATURES) <= set(s.columns)


def test_classes_come_from_the_evidence_in_the_row():
    s = sessions(parse_log(LOG).requests).set_index("address")
    bot = s.loc["66.249.73.135"]
    assert bot["crawler"] and bot["robots_txt"] == 1 and bot["agent_family"] == "Googlebot"
    assert classify(bot) == "declared crawler"
    assert classify(s.loc["203.0.113.9"]) == "scanner probing admin or login paths"
    assert classify(s.loc["10.0.0.1"].iloc[0]) == "ordinary reader"


@pytest.mark.parametrize("gap", [0, -5])
def test_a_gap_that_cannot_work_is_refused(gap):
    with pytest.raises(LogError, match="give a pause in minutes above 0"):
        sessions(parse_log(LOG).requests, gap_minutes=gap)


def test_addresses_are_masked_to_their_network():
    assert mask_address("83.149.9.216") == "83.149.9.0/24"
    assert mask_address("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert mask_address("not-an-ip") == "(not an address)"


def test_the_alert_threshold_flags_the_budget():
    errors = pd.Series(range(100), dtype=float).to_numpy()
    t = alert_threshold(errors, days=2, alerts_per_day=5)
    assert (errors > t).sum() == 10
    with pytest.raises(LogError, match="choose a budget between"):
        alert_threshold(errors, days=2, alerts_per_day=80)


def test_training_days_must_leave_a_day_to_score():
    with pytest.raises(LogError, match=r"training_days=2 leaves no day to score.*choose at most 1"):
        from aebook.weblogs import check_training_days
        check_training_days(2, ["2015-05-17", "2015-05-18"])


def test_rare_levels_become_other():
    from aebook.weblogs import keep_common
    reference = pd.Series(["Chrome"] * 5 + ["Lynx"])
    assert keep_common(pd.Series(["Chrome", "Lynx", "Brand-new"]), reference, 2).tolist() == [
        "Chrome", "other", "other"]
