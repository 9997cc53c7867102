"""Web-server access logs: parse them, cut them into client sessions, describe each one.

The parsing is done by maintained libraries: ``apachelogs`` reads the Apache log
formats (the combined format by default) and ``ua_parser`` (the uap-core rules)
names the user agent. This module only arranges what they return: a line that does
not parse is kept, with its number and the parser's reason, so that none vanishes.

A *session* is one client address's run of requests with no pause longer than
``gap`` between two of them. Its features are the ones a log analyst reads: how many
requests and distinct paths, how fast, which status classes and methods, how much
of it is static files, how often the referrer is empty, the bytes sent, whether it
fetched ``robots.txt``, and the user agent's family.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "FEATURES",
    "PROBE_PATHS",
    "LogError",
    "ParsedLog",
    "alert_threshold",
    "check_training_days",
    "classify",
    "keep_common",
    "mask_address",
    "parse_log",
    "sessions",
]

STATIC = (".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".svg", ".woff",
          ".woff2", ".ttf", ".eot", ".map")
# Paths of popular admin and login pages that a site without them only gets from
# scanners: WordPress, Joomla, phpMyAdmin, generic admin scripts.
PROBE_PATHS = ("wp-login.php", "wp-admin", "xmlrpc.php", "administrator/",
               "admin.php", "phpmyadmin", "/.env", "/cgi-bin/")
# Feed requests: a feed path, or a blog engine's feed "flavour" (?flav=rss20, ?flav=atom).
FEEDS = ("flav=rss", "flav=atom", "/feed", "/rss", "/atom", ".rss", ".atom", "feed.xml")

# The session features the autoencoder sees (numbers, then the one category).
FEATURES = ["requests", "distinct_paths", "requests_per_minute", "median_gap_seconds",
            "share_3xx", "share_4xx", "share_5xx", "share_head", "share_post",
            "share_static", "share_empty_referrer", "bytes", "bytes_per_request",
            "robots_txt", "agent_family"]


class LogError(ValueError):
    """A log that cannot be read; the message names the fix."""


@dataclass
class ParsedLog:
    """The requests that parsed (one row each) and the lines that did not."""

    requests: pd.DataFrame
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # line number, text, reason

    @property
    def lines(self) -> int:
        return len(self.requests) + len(self.failed)


def parse_log(lines: Iterable[str], log_format: str | None = None) -> ParsedLog:
    """Parse access-log lines with ``apachelogs`` (combined format unless given).

    Returns the parsed requests (address, time, method, path, status, bytes,
    referrer, agent) and every line that failed, with its number and the reason.
    Raises :class:`LogError` when nothing parses: the wrong file or the wrong format.
    """
    from apachelogs import COMBINED, InvalidEntryError, LogParser

    parser = LogParser(log_format or COMBINED)
    rows, failed = [], []
    for number, line in enumerate(lines, 1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            entry = parser.parse(text)
        except InvalidEntryError as error:
            failed.append((number, text, str(error).split(" against log format")[0]))
            continue
        method, _, rest = (entry.request_line or "").partition(" ")
        path = rest.rsplit(" ", 1)[0] if " " in rest else rest
        headers = entry.headers_in or {}
        rows.append({"address": entry.remote_host, "time": entry.request_time,
                     "method": method, "path": path, "status": entry.final_status,
                     "bytes": entry.bytes_sent or 0,
                     "referrer": headers.get("Referer") or "-",
                     "agent": headers.get("User-Agent") or "-"})
    if not rows:
        raise LogError(f"None of the {len(failed)} lines is an access-log entry in the format "
                       f"{log_format or COMBINED!r}: pass the log file itself, or its format as "
                       "log_format.")
    requests = pd.DataFrame(rows)
    requests["time"] = pd.to_datetime(requests["time"], utc=True)
    return ParsedLog(requests=requests, failed=failed)


def describe_agents(agents: pd.Series) -> pd.DataFrame:
    """For each agent string, ``ua_parser``'s user-agent family ("Other" if none) and
    whether it puts the agent among spiders (a declared crawler); each distinct string
    is parsed once."""
    from ua_parser import parse

    parsed = {agent: parse(agent) for agent in agents.unique()}
    return pd.DataFrame({
        "agent_family": agents.map({a: r.user_agent.family if r.user_agent is not None
                                    else "Other" for a, r in parsed.items()}),
        "crawler": agents.map({a: r.device is not None and r.device.family == "Spider"
                               for a, r in parsed.items()}),
    }, index=agents.index)


def sessions(requests: pd.DataFrame, gap_minutes: float = 30) -> pd.DataFrame:
    """One row per client session: a pause of more than ``gap_minutes`` ends one.

    Besides :data:`FEATURES` each row holds what a reader needs to judge it: the
    address, start, day, the most requested paths, the agent string and the count of
    requests for probe paths (:data:`PROBE_PATHS`), which is *not* a feature.
    """
    if not gap_minutes > 0:
        raise LogError(f"gap_minutes={gap_minutes!r}: give a pause in minutes above 0.")
    r = requests.sort_values(["address", "time"], kind="stable").reset_index(drop=True)
    pause = r.groupby("address")["time"].diff()
    new = pause.isna() | (pause > pd.Timedelta(minutes=gap_minutes))
    r["session"] = new.cumsum() - 1
    r["gap"] = pause.dt.total_seconds().where(~new)
    lower = r["path"].str.lower()
    r["static"] = lower.str.split("?").str[0].str.endswith(STATIC)
    r["probe"] = lower.apply(lambda p: any(k in p for k in PROBE_PATHS))
    r["feed"] = lower.apply(lambda p: any(k in p for k in FEEDS))
    g = r.groupby("session")
    first, last = g["time"].min(), g["time"].max()
    minutes = ((last - first).dt.total_seconds() / 60).clip(lower=1)
    n = g.size()
    out = pd.DataFrame({
        "address": g["address"].first(),
        "start": first,
        "day": first.dt.strftime("%Y-%m-%d"),
        "requests": n,
        "distinct_paths": g["path"].nunique(),
        "requests_per_minute": n / minutes,
        "median_gap_seconds": g["gap"].median().fillna(0.0),
        "share_3xx": g["status"].apply(lambda s: ((s >= 300) & (s < 400)).mean()),
        "share_4xx": g["status"].apply(lambda s: ((s >= 400) & (s < 500)).mean()),
        "share_5xx": g["status"].apply(lambda s: (s >= 500).mean()),
        "share_head": g["method"].apply(lambda m: (m == "HEAD").mean()),
        "share_post": g["method"].apply(lambda m: (m == "POST").mean()),
        "share_static": g["static"].mean(),
        "share_empty_referrer": g["referrer"].apply(lambda x: (x == "-").mean()),
        "bytes": g["bytes"].sum().astype(float),
        "bytes_per_request": g["bytes"].mean(),
        "robots_txt": g["path"].apply(lambda p: int((p.str.split("?").str[0] == "/robots.txt").any())),
        "agent": g["agent"].agg(lambda a: a.mode().iloc[0]),
        "probe_requests": g["probe"].sum(),
        "feed_requests": g["feed"].sum(),
        "top_paths": g["path"].agg(lambda p: ", ".join(p.value_counts().index[:3])),
    })
    out[["agent_family", "crawler"]] = describe_agents(out["agent"])
    return out.reset_index(drop=True)


def mask_address(address: str) -> str:
    """An IPv4 address as its /24 network, an IPv6 one as its /48: who, roughly, not whom."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "(not an address)"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def classify(session: pd.Series) -> str:
    """A class for a session from the evidence in its own row, first match wins:
    a probe of admin or login paths, a declared crawler, a feed reader, a broken
    client (most requests failed), or an ordinary reader."""
    if session["probe_requests"] > 0:
        return "scanner probing admin or login paths"
    if session["crawler"]:
        return "declared crawler"
    if session["feed_requests"] > 0 and session["feed_requests"] >= session["requests"] / 2:
        return "feed reader"
    if session["share_4xx"] + session["share_5xx"] >= 0.5:
        return "broken client (most requests failed)"
    return "ordinary reader"


def alert_threshold(errors: np.ndarray, days: int, alerts_per_day: float) -> float:
    """The error above which ``alerts_per_day`` sessions a day are flagged, on average,
    from the errors of ``days`` days of sessions."""
    errors = np.sort(np.asarray(errors, dtype=float))[::-1]
    budget = round(alerts_per_day * days)
    if not 1 <= budget < len(errors):
        raise LogError(f"An alert budget of {alerts_per_day} a day over {days} days is "
                       f"{budget} of {len(errors)} sessions: choose a budget between "
                       f"{1 / days:.2g} and {(len(errors) - 1) / days:.0f} a day.")
    return float(errors[budget])


def check_training_days(training_days: int, days: list[str]) -> None:
    """Raise :class:`LogError` unless ``training_days`` leaves a later day to score."""
    if training_days >= len(days):
        raise LogError(f"training_days={training_days} leaves no day to score: the log covers "
                       f"{len(days)} days ({days[0]} to {days[-1]}); choose at most "
                       f"{len(days) - 1}.")


def keep_common(values: pd.Series, reference: pd.Series, min_count: int,
                other: str = "other") -> pd.Series:
    """``values`` with every value seen fewer than ``min_count`` times in ``reference``
    (the training sessions) replaced by ``other``: a category level the model saw too
    rarely to learn says nothing, and one it never saw cannot be encoded."""
    counts = reference.value_counts()
    common = set(counts[counts >= min_count].index)
    return values.where(values.isin(common), other)
