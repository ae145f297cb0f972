"""Command line: serving the instance, the admin commands, and the demo content they can seed."""
