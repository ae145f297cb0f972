// Reads iCalendar documents with ical.js (Thunderbird's parser) and prints, as JSON, each VEVENT's
// UID and the UTC instants (seconds since 1970) of the start and end of each of its occurrences
// (RRULE and EXDATE expanded, instances with a RECURRENCE-ID in place of their date, cancelled ones left
// out) that start before the limit given in seconds.
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
  const components = calendar.getAllSubcomponents("vevent");
  // Instances with a RECURRENCE-ID replace their date of the series sharing their UID, as calendar
  // apps relate them; a cancelled one is left out.
  const instances = components.filter((component) => component.hasProperty("recurrence-id"));
  for (const component of components.filter((component) => !component.hasProperty("recurrence-id"))) {
    const event = new ICAL.Event(component);
    for (const instance of instances) {
      if (instance.getFirstPropertyValue("uid") === event.uid) {
        event.relateException(instance);
      }
    }
    const dates = [];
    const iterator = event.iterator();
    for (let next = iterator.next(); next && next.toUnixTime() < limit; next = iterator.next()) {
      const details = event.getOccurrenceDetails(next);
      const status = details.item.component.getFirstPropertyValue("status");
      const cancelled = details.item !== event && String(status).toUpperCase() === "CANCELLED";
      if (cancelled || details.startDate.toUnixTime() >= limit) {
        continue;
      }
      dates.push([details.startDate.toUnixTime(), details.endDate ? details.endDate.toUnixTime() : null]);
    }
    found[event.uid] = dates.sort((a, b) => a[0] - b[0]);
  }
  return found;
});
process.stdout.write(JSON.stringify(calendars));
