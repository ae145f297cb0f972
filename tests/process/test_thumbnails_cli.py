"""run.py thumbnails makes the cards' thumbnails of pictures stored before thumbnails existed, showing its
progress and what it did, and does nothing more the second time."""
import io

from PIL import Image

from mobilizon_lite.services.pictures import save_picture, upload_folder
from mobilizon_lite.services.thumbnails import thumbnail_name

from ..helpers import open_instance, run_cli


def test_thumbnails_are_made_for_old_pictures_once(tmp_path, instance_env):
    path = tmp_path / "instance"
    app = open_instance(path)
    with app.app_context():
        folder = upload_folder()
        names = []
        for size in ((1600, 900), (200, 600), (800, 800)):
            data = io.BytesIO()
            Image.new("RGB", size, (90, 30, 160)).save(data, "PNG")
            data.seek(0)
            names.append(save_picture(data))
    for name in names[:2]:  # as stored before this version
        (folder / thumbnail_name(name)).unlink()
    broken = "0123456789abcdef0123456789abcdef.jpg"
    (folder / broken).write_bytes(b"half a picture")

    done = run_cli(path, "thumbnails", env=instance_env)
    assert done.returncode == 0, done.stderr
    assert "thumbnails: 3/3" in done.stdout
    assert "4 pictures stored: 2 thumbnails made, 1 already there, 1 unreadable" in done.stdout
    with Image.open(folder / thumbnail_name(names[0])) as made:
        assert made.format == "WEBP" and made.size == (400, 225)
    with Image.open(folder / thumbnail_name(names[1])) as made:
        assert made.size == (200, 112)  # never enlarged
    assert not (folder / thumbnail_name(broken)).exists()

    again = run_cli(path, "thumbnails", env=instance_env)
    assert again.returncode == 0, again.stderr
    assert "4 pictures stored: 0 thumbnails made, 3 already there, 1 unreadable" in again.stdout
