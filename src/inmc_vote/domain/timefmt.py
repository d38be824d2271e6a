"""Times as people read them: in the ballot's zone, with the zone and its offset named.

"13 December 2026, 22:50 (Europe/Paris, UTC+1)": the zone's name says where, the offset
lets a reader anywhere work out their own time. English by default (the command line,
the logs, a refusal's English message), or French ("13 décembre 2026 à 22:50 (…)") for the
letters and e-mails, which hold both languages. The pages write it in the reader's
language through `inmc_vote.web.i18n.show_time`, which calls this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

NO_TIME = "—"
# Spelled out rather than strftime's %B, which follows the process's C locale.
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}
# How a date and a time join into one phrase, in each language.
DATE_AT_TIME = {"en": "{date}, {time}", "fr": "{date} à {time}"}


def utc_offset(offset: timedelta | None) -> str:
    """ "UTC", "UTC+1", "UTC-3", "UTC+5:30"."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(local: datetime, zone: str) -> str:
    """ "Europe/Paris, UTC+1", or "UTC" alone."""
    offset = utc_offset(local.utcoffset())
    return offset if zone == "UTC" else f"{zone}, {offset}"


def show_time(moment: datetime | None, zone: str = "UTC", language: str = "en") -> str:
    """`moment` in `zone`, in English or French (`language`): what letters and e-mails,
    which hold both languages, write in each half, and the pages in the reader's."""
    if moment is None:
        return NO_TIME
    local = moment.astimezone(ZoneInfo(zone))
    words = language if language in MONTHS else "en"
    date = f"{local.day} {MONTHS[words][local.month - 1]} {local.year}"
    when = DATE_AT_TIME[words].format(date=date, time=f"{local:%H:%M}")
    return f"{when} ({zone_label(local, zone)})"


@dataclass(frozen=True)
class Zoned:
    """A time and the zone to show it in, as a refusal's parameter: English by default
    (`message`), in the reader's language once the web layer translates the refusal."""

    moment: datetime | None
    zone: str = "UTC"

    def __format__(self, spec: str) -> str:
        return format(show_time(self.moment, self.zone), spec)

    def __str__(self) -> str:
        return show_time(self.moment, self.zone)
