"""The event form's town as the event's coordinates: kept while it stays the same, found in the
gazetteer, or chosen among the towns of its name; and the answer of the form's "Find the town" button."""
from flask import flash, render_template
from flask_babel import gettext as _

from ..services import places


def spread_address(form):
    """A whole address typed as the town ("12 rue X, 69001 Lyon") put in the form's fields: the town
    alone stays there; street, postal code and country go to theirs, unless they hold something."""
    typed = form.locality.data or ""
    if "," not in typed and not places.POSTAL_BEFORE.match(typed) and not places.POSTAL_AFTER.match(typed):
        return
    address = places.split_address(typed)
    if address is None:
        return
    form.locality.data = address.town
    for field, value in ((form.street, address.street), (form.postal_code, address.postal_code),
                         (form.country, address.after)):
        if value and not (field.data or "").strip():
            field.data = value


def find_town(form):
    """(the town meant, the towns of the name typed) for the form's town, country and region: the one
    town of that name, or the one chosen among several, which the form then offers (None when none is
    chosen, or the town is unknown). A whole address typed as the town is spread first."""
    spread_address(form)
    town, towns = places.locate(form.locality.data or "", form.country.data, form.town_choice.data,
                                form.region.data)
    if len(towns) > 1:
        form.offer_towns(towns)
    return town, towns


def same_town(form, event):
    """Whether the form names the event's town, country and region still (in any case, with or without
    accents)."""
    return all(places.fold(getattr(form, name).data or "") == places.fold(getattr(event, name))
               for name in ("locality", "country", "region"))


def with_coordinates(form, event=None):
    """The form's event data with its town's coordinates: the event's own while its town and country
    stay the same (and no other town of the name is chosen), else those of the town typed (none for a
    town unknown). None while the organiser is to choose among several towns of that name (the form
    offers them, and says so)."""
    if event is not None and event.has_coordinates and same_town(form, event) and form.town_choice.data is None:
        coordinates = event.latitude, event.longitude
    else:
        town, towns = find_town(form)
        if town is None and len(towns) > 1:
            form.form_errors.append(_("Several towns are called “%(name)s”: choose yours under “Where”, then "
                                      "save again.", name=form.locality.data))
            return None
        coordinates = (town.latitude, town.longitude) if town else (None, None)
    return {**form.event_data(), "latitude": coordinates[0], "longitude": coordinates[1]}


def unknown_town_note(name):
    return _("“%(town)s” is not among the towns this site knows: the event has no position, and searches "
             "near a town will not find it.", town=name)


def saved_with_town(form, data):
    """Tell the organiser when the town typed gave the event no position."""
    if data["latitude"] is None and form.locality.data:
        flash(unknown_town_note(form.locality.data), "warning")


def town_found(form, event=None):
    """The form again, not saved, with what its town was found to be: the "Find" button's answer (the
    address fields open when a whole address typed as the town was spread in them)."""
    typed = form.locality.data
    town, towns = find_town(form)
    if town is not None:
        note = _("Found: %(town)s. The event is placed at the centre of this town.", town=town.label)
    elif towns:
        note = None  # the choice the form offers says it
    elif form.locality.data:
        note = unknown_town_note(form.locality.data)
    else:
        note = _("Type the town first.")
    return render_template("events/form.html", form=form, event=event, town_note=note,
                           address_spread=form.locality.data != typed)
