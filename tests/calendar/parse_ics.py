"""Parses an iCalendar feed (RFC 5545) from stdin with the `icalendar` package, an implementation
independent of the one that wrote it, and prints what a calendar app would show as JSON: per
VEVENT its UID, SEQUENCE, STATUS, SUMMARY, LOCATION, GEO, DESCRIPTION, URL, DTSTAMP, and DTSTART
and DTEND both in UTC and in the zone given as the first argument (converted here with zoneinfo).

A feed the parser rejects, or a VEVENT without the properties RFC 5545 requires (UID, DTSTAMP,
DTSTART), exits non-zero with the reason on stderr."""

import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import icalendar


def when(value: datetime, zone: ZoneInfo) -> dict:
    if value.tzinfo is None:
        raise SystemExit(f"floating time {value!r}: the feed must give UTC or a TZID")
    return {"utc": value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "local": value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")}


def main() -> None:
    zone = ZoneInfo(sys.argv[1])
    cal = icalendar.Calendar.from_ical(sys.stdin.read())
    if cal.name != "VCALENDAR" or str(cal.get("VERSION")) != "2.0" or not cal.get("PRODID"):
        raise SystemExit("not an iCalendar 2.0 object with a PRODID")
    events = []
    for ev in cal.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            if ev.get(required) is None:
                raise SystemExit(f"VEVENT without {required}")
        geo = ev.get("GEO")
        events.append({
            "uid": str(ev["UID"]),
            "sequence": int(ev.get("SEQUENCE", 0)),
            "status": str(ev.get("STATUS", "")),
            "summary": str(ev.get("SUMMARY", "")),
            "location": str(ev.get("LOCATION", "")),
            "geo": [geo.latitude, geo.longitude] if geo is not None else None,
            "description": str(ev.get("DESCRIPTION", "")),
            "url": str(ev.get("URL", "")),
            "dtstamp": when(ev["DTSTAMP"].dt, zone)["utc"],
            "start": when(ev["DTSTART"].dt, zone),
            "end": when(ev["DTEND"].dt, zone) if ev.get("DTEND") is not None else None,
        })
    print(json.dumps({"name": str(cal.get("X-WR-CALNAME", cal.get("NAME", ""))), "events": events}))


if __name__ == "__main__":
    main()
