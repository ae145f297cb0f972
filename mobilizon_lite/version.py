"""The version of mobilizon_lite, shown to other servers and calendar apps."""
__version__ = "0.1.0"
