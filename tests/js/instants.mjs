// Reads iCalendar documents with ical.js (Thunderbird's parser) and prints, as JSON, each VEVENT's
// UID and the UTC instants (seconds since 1970) of its DTSTART and DTEND, as ical.js understands them.
// Usage: node instants.mjs FILE...   -> [[{uid, start, end}, ...], ...], one list per file.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const instant = (event, name) => {
  const value = event.getFirstPropertyValue(name);
  return value ? value.toUnixTime() : null;
};

const calendars = process.argv.slice(2).map((path) => {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  return calendar.getAllSubcomponents("vevent").map((event) => ({
    uid: event.getFirstPropertyValue("uid"),
    start: instant(event, "dtstart"),
    end: instant(event, "dtend"),
  }));
});
process.stdout.write(JSON.stringify(calendars));
