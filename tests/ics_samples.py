"""Calendars as other software writes them, for the import tests: dates in the coming years so that
the series are current."""
from datetime import date, timedelta

YEAR = date.today().year + 1
# The first Tuesday of June: a weekly series on Tuesdays, its third date excluded.
TUESDAY = date(YEAR, 6, 1) + timedelta(days=(1 - date(YEAR, 6, 1).weekday()) % 7)
EXCLUDED = TUESDAY + timedelta(days=14)

NEXTCLOUD = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//IDN nextcloud.com//Calendar app 4.7.0//EN
CALSCALE:GREGORIAN
BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:repair-cafe-1@cloud.example.org
DTSTAMP:{YEAR}0101T100000Z
SEQUENCE:0
SUMMARY:Repair café
DESCRIPTION:Bring what is broken: *lamps*\\, <toasters> & bikes.\\nSecond line.
LOCATION:Maison des associations, 12 rue de la Paix, 75002 Paris, France
URL:https://cloud.example.org/repair
CATEGORIES:Repair,DIY
DTSTART;TZID=Europe/Paris:{TUESDAY:%Y%m%d}T190000
DTEND;TZID=Europe/Paris:{TUESDAY:%Y%m%d}T213000
RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=6
EXDATE;TZID=Europe/Paris:{EXCLUDED:%Y%m%d}T190000
END:VEVENT
BEGIN:VEVENT
UID:fete-1@cloud.example.org
DTSTAMP:{YEAR}0101T100000Z
SUMMARY:Fête du quartier
DTSTART;VALUE=DATE:{YEAR}0621
DTEND;VALUE=DATE:{YEAR}0622
LOCATION:Place du marché
END:VEVENT
BEGIN:VEVENT
UID:cancelled-1@cloud.example.org
DTSTAMP:{YEAR}0101T100000Z
SUMMARY:Assemblée générale
STATUS:CANCELLED
DTSTART;TZID=Europe/Paris:{YEAR}0910T180000
DTEND;TZID=Europe/Paris:{YEAR}0910T200000
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n").encode()

GOOGLE = f"""BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Club
X-WR-TIMEZONE:America/New_York
BEGIN:VEVENT
DTSTART:{YEAR}0715T230000Z
DTEND:{YEAR}0716T010000Z
DTSTAMP:{YEAR}0101T000000Z
UID:abc123@google.com
SUMMARY:Evening walk
LOCATION:Central Park
SEQUENCE:2
LAST-MODIFIED:{YEAR}0101T000000Z
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n").encode()


def vevent(uid, summary, extra="", sequence=0, start=f"{YEAR}0801T100000Z"):
    """One VEVENT's lines (extra: more lines inside it)."""
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{YEAR}0101T000000Z\r\nSEQUENCE:{sequence}\r\n"
            f"SUMMARY:{summary}\r\nDTSTART:{start}\r\n{extra}END:VEVENT\r\n")


def calendar(*vevents):
    """A calendar of these VEVENTs' lines."""
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{''.join(vevents)}END:VCALENDAR\r\n".encode()


def single(uid, summary, extra="", sequence=0, start=f"{YEAR}0801T100000Z"):
    """A calendar of one event (extra: more lines inside the VEVENT)."""
    return calendar(vevent(uid, summary, extra, sequence, start))


def many(count):
    """A calendar of count one-hour events."""
    events = "".join(f"BEGIN:VEVENT\r\nUID:n{n}@test\r\nDTSTAMP:{YEAR}0101T000000Z\r\nSUMMARY:Event {n}\r\n"
                     f"DTSTART:{YEAR}0801T100000Z\r\nEND:VEVENT\r\n" for n in range(count))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n".encode()
