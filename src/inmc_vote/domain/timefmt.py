"""Times as people read them: in the ballot's zone, with the zone named, and in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def show_time(moment: datetime | None, zone: str = "UTC") -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(zone))
    text = local.strftime("%Y-%m-%d %H:%M %Z")
    if zone != "UTC":
        text += moment.astimezone(UTC).strftime(" (%H:%M UTC)")
    return text
