"""Converters between database rows and ActivityStreams documents."""
