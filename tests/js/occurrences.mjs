// Reads iCalendar documents with ical.js (Thunderbird's parser) and prints, as JSON, each VEVENT's
// UID and the UTC instants (seconds since 1970) of the start and end of each of its occurrences
// (RRULE and EXDATE expanded) that start before the limit given in seconds.
// Usage: node occurrences.mjs LIMIT FILE...   -> [{uid: [[start, end], ...]}, ...], one per file.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const limit = Number(process.argv[2]);
const calendars = process.argv.slice(3).map((path) => {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  // Each TZID is read from the document's own VTIMEZONE.
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  const found = {};
  for (const component of calendar.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(component);
    const dates = [];
    const iterator = event.iterator();
    for (let next = iterator.next(); next && next.toUnixTime() < limit; next = iterator.next()) {
      const details = event.getOccurrenceDetails(next);
      dates.push([details.startDate.toUnixTime(), details.endDate ? details.endDate.toUnixTime() : null]);
    }
    found[event.uid] = dates;
  }
  return found;
});
process.stdout.write(JSON.stringify(calendars));
