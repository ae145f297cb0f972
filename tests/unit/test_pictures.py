"""Stored pictures are at most PICTURE_MAX_WIDTH wide, a wide JPEG being decoded at a reduced scale first."""
import io

from PIL import Image

from mobilizon_lite.services.pictures import save_picture, upload_folder


def stored(app, image, image_format):
    data = io.BytesIO()
    image.save(data, image_format)
    data.seek(0)
    with app.app_context():
        return Image.open(upload_folder() / save_picture(data))


def test_a_wide_photo_is_stored_at_the_largest_width(app):
    # Four times the width: decoded at half its size, then resized.
    photo = Image.new("RGB", (4 * app.config["PICTURE_MAX_WIDTH"], 400), (200, 120, 40))
    with stored(app, photo, "JPEG") as image:
        assert image.size == (app.config["PICTURE_MAX_WIDTH"], 100) and image.format == "JPEG"
        assert all(abs(got - wanted) <= 4 for got, wanted in zip(image.getpixel((10, 10)), (200, 120, 40),
                                                                 strict=True))


def test_a_picture_no_wider_than_the_limit_keeps_its_size(app):
    with stored(app, Image.new("RGB", (app.config["PICTURE_MAX_WIDTH"], 300), (0, 90, 200)), "PNG") as image:
        assert image.size == (app.config["PICTURE_MAX_WIDTH"], 300) and image.format == "PNG"



def test_a_jpeg_too_thin_to_resize_keeps_a_pixel_of_height(app):
    # 4000 × 1 pixels would be less than a pixel high at PICTURE_MAX_WIDTH.
    with stored(app, Image.new("RGB", (2 * app.config["PICTURE_MAX_WIDTH"] + 160, 1)), "JPEG") as image:
        assert image.size == (app.config["PICTURE_MAX_WIDTH"], 1)
