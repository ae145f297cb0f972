"""Time and peak memory to take a 12 MB phone photo (4032 × 3024 JPEG, made here with Pillow) as an
upload is taken: checked, decoded at a reduced scale, turned upright, scaled down to PICTURE_MAX_WIDTH,
re-encoded and stored with its thumbnail.

Each run is a fresh process (so that its peak resident memory, ru_maxrss, is the upload's alone), against
one that only starts the application and reads the photo: the difference is what the picture costs.

    .venv/bin/python bench/pictures.py              # 5 runs
    .venv/bin/python bench/pictures.py --runs 10

Linux only for memory (ru_maxrss in kB).
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import phone_photo  # noqa: E402

CHILD = """
import io, json, resource, sys, time
from mobilizon_lite import create_app
from mobilizon_lite.services.pictures import save_picture
app = create_app({"SECRET_KEY": "bench", "BASE_URL": "http://localhost"}, instance_path=sys.argv[1])
data = open(sys.argv[2], "rb").read()
with app.app_context():
    started = time.perf_counter()
    if sys.argv[3] == "picture":
        save_picture(io.BytesIO(data))
    seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run(folder, photo, what):
    """One fresh process: {"seconds", "peak_kb"}."""
    output = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(photo), what], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(folder) / "photo.jpg"
        photo.write_bytes(phone_photo(orientation=6))
        print(f"photo: {photo.stat().st_size / 1e6:.1f} MB, 4032 × 3024, EXIF orientation 6")
        base = [run(Path(folder) / f"base{n}", photo, "none") for n in range(args.runs)]
        taken = [run(Path(folder) / f"pic{n}", photo, "picture") for n in range(args.runs)]
    base_kb = statistics.median(r["peak_kb"] for r in base)
    peak_kb = statistics.median(r["peak_kb"] for r in taken)
    seconds = [r["seconds"] for r in taken]
    print(f"time to take it: median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}, "
          f"max {max(seconds):.2f}) over {args.runs} runs")
    print(f"peak resident memory: {peak_kb / 1024:.0f} MB with the picture, {base_kb / 1024:.0f} MB without: "
          f"{(peak_kb - base_kb) / 1024:.0f} MB for the picture")


if __name__ == "__main__":
    main()
