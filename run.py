"""Start mobilizon_lite (python run.py --help lists the options and admin commands)."""
import sys
from pathlib import Path

from mobilizon_lite.cli.commands import main

if __name__ == "__main__":
    sys.exit(main(default_instance=Path(__file__).resolve().parent / "instance"))
