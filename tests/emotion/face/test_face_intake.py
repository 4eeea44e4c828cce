"""Image intake: a corpus of bad and unusual images, each built here, each a typed outcome."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageFile

from emotion.face.intake import DecodedImage, decode_image
from emotion.photo import PhotoProblem
from tests.emotion.face.face_images import encode, png_bomb


def _face_jpeg(grace: Image.Image) -> bytes:
    return encode(grace, "JPEG", quality=90)


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "green", "blue")]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


BAD: dict[str, tuple[Callable[[Image.Image], bytes], PhotoProblem]] = {
    "zero bytes": (lambda g: b"", PhotoProblem.EMPTY),
    "random bytes named .jpg": (
        lambda g: random.Random(3).randbytes(5000),
        PhotoProblem.NOT_AN_IMAGE,
    ),
    "text file": (lambda g: b"hello, this is not a picture\n" * 40, PhotoProblem.NOT_AN_IMAGE),
    "html page": (
        lambda g: b"<!doctype html><html><body>hi</body></html>",
        PhotoProblem.NOT_AN_IMAGE,
    ),
    "truncated jpeg": (lambda g: _face_jpeg(g)[: len(_face_jpeg(g)) // 2], PhotoProblem.TRUNCATED),
    "jpeg header only": (lambda g: _face_jpeg(g)[:400], PhotoProblem.TRUNCATED),
    "truncated png": (lambda g: encode(g, "PNG")[:3000], PhotoProblem.TRUNCATED),
    "png bomb 20000x20000": (lambda g: png_bomb(), PhotoProblem.TOO_MANY_PIXELS),
    "over 20 MB": (
        lambda g: b"\xff\xd8\xff\xe0" + bytes(20 * 1024 * 1024),
        PhotoProblem.TOO_LARGE,
    ),
    "animated gif": (lambda g: _animated("GIF"), PhotoProblem.ANIMATED),
    "animated webp": (lambda g: _animated("WEBP"), PhotoProblem.ANIMATED),
    "animated png": (lambda g: _animated("PNG"), PhotoProblem.ANIMATED),
    "1x1 png": (lambda g: encode(Image.new("RGB", (1, 1)), "PNG"), PhotoProblem.TOO_SMALL),
    "1x1 jpeg": (lambda g: encode(Image.new("L", (1, 1)), "JPEG"), PhotoProblem.TOO_SMALL),
    "bmp": (lambda g: encode(g, "BMP"), PhotoProblem.UNSUPPORTED_FORMAT),
    "tiff": (lambda g: encode(g, "TIFF"), PhotoProblem.UNSUPPORTED_FORMAT),
    "still gif": (lambda g: encode(g, "GIF"), PhotoProblem.UNSUPPORTED_FORMAT),
    "heic signature": (
        lambda g: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200),
        PhotoProblem.UNSUPPORTED_FORMAT,
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_images_give_a_typed_problem(name: str, grace_image: Image.Image) -> None:
    make, expected = BAD[name]
    assert decode_image(make(grace_image)) is expected


def test_bad_corpus_has_at_least_15_kinds() -> None:
    assert len(BAD) >= 15
    assert len({problem for _, problem in BAD.values()}) >= 7


@pytest.mark.parametrize("data", [png_bomb(), b"\xff\xd8\xff\xe0" + bytes(21 * 1024 * 1024)])
def test_refusals_happen_before_decoding(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    assert decode_image(data) in {PhotoProblem.TOO_MANY_PIXELS, PhotoProblem.TOO_LARGE}


def test_limits_are_parameters(grace_image: Image.Image) -> None:
    data = _face_jpeg(grace_image)
    assert decode_image(data, max_bytes=len(data) - 1) is PhotoProblem.TOO_LARGE
    assert isinstance(decode_image(data, max_bytes=len(data)), DecodedImage)
    assert decode_image(data, max_pixels=512 * 600 - 1) is PhotoProblem.TOO_MANY_PIXELS
    assert (
        decode_image(png_bomb(100, 100), max_pixels=100 * 100) is not PhotoProblem.TOO_MANY_PIXELS
    )


def test_corrupted_bytes_never_raise(grace_image: Image.Image) -> None:
    rng = random.Random(11)
    for original in (_face_jpeg(grace_image), encode(grace_image, "PNG")):
        for _ in range(25):
            data = bytearray(original)
            for _ in range(rng.randint(1, 30)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            cut = bytes(data[: rng.randint(1, len(data))])
            assert isinstance(decode_image(cut), DecodedImage | PhotoProblem)


def test_jpeg_decodes_to_upright_rgb(grace_image: Image.Image) -> None:
    decoded = decode_image(_face_jpeg(grace_image))
    assert isinstance(decoded, DecodedImage)
    assert decoded.format == "JPEG"
    assert decoded.size == (512, 600)
    assert decoded.pixels.shape == (600, 512, 3)
    assert decoded.pixels.dtype == np.uint8
    assert decoded.scale == 1.0


def test_webp_and_png_are_accepted(grace_image: Image.Image) -> None:
    for fmt in ("WEBP", "PNG"):
        decoded = decode_image(encode(grace_image, fmt))
        assert isinstance(decoded, DecodedImage), fmt
        assert decoded.format == fmt
        assert decoded.pixels.shape == (600, 512, 3)


def test_exif_rotation_is_applied() -> None:
    image = Image.new("RGB", (200, 100), "white")
    image.paste((255, 0, 0), (0, 0, 20, 100))  # red band on the left edge
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display needs a 90 degree clockwise turn
    decoded = decode_image(encode(image, "JPEG", exif=exif.tobytes(), quality=95))
    assert isinstance(decoded, DecodedImage)
    assert decoded.size == (100, 200)
    assert decoded.pixels.shape == (200, 100, 3)
    top_row, bottom_row = decoded.pixels[5].astype(int), decoded.pixels[-5].astype(int)
    assert top_row[:, 0].mean() > 200 and top_row[:, 1].mean() < 60  # the band is now on top
    assert bottom_row[:, 1].mean() > 200


def test_cmyk_jpeg_becomes_rgb() -> None:
    image = Image.new("CMYK", (64, 64), (0, 255, 255, 0))  # pure red in CMYK
    decoded = decode_image(encode(image, "JPEG", quality=95))
    assert isinstance(decoded, DecodedImage)
    assert decoded.pixels.shape == (64, 64, 3)
    red, green, blue = decoded.pixels[32, 32].astype(int)
    assert red > 200 and green < 60 and blue < 60


def test_transparent_png_goes_onto_white() -> None:
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 20, 40))
    decoded = decode_image(encode(image, "PNG"))
    assert isinstance(decoded, DecodedImage)
    assert decoded.pixels[20, 30].tolist() == [255, 255, 255]
    assert decoded.pixels[20, 5].tolist() == [0, 0, 255]


def test_palette_png_with_transparency() -> None:
    image = Image.new("P", (32, 32), 0)
    image.putpalette([0, 0, 0, 200, 10, 10] + [0] * 762)
    image.paste(1, (0, 0, 16, 32))
    decoded = decode_image(encode(image, "PNG", transparency=0))
    assert isinstance(decoded, DecodedImage)
    assert decoded.pixels[10, 25].tolist() == [255, 255, 255]
    assert decoded.pixels[10, 5].tolist() == [200, 10, 10]


def test_grayscale_stays_two_dimensional(grace_image: Image.Image) -> None:
    decoded = decode_image(encode(grace_image.convert("L"), "JPEG"))
    assert isinstance(decoded, DecodedImage)
    assert decoded.is_gray and decoded.pixels.shape == (600, 512)


def test_sixteen_bit_png_is_scaled_not_clipped() -> None:
    wide = np.zeros((32, 32), dtype=np.uint16)
    wide[:, 16:] = 65535
    wide[:, :16] = 32896  # 128 * 257
    image = Image.fromarray(wide)
    data = encode(image, "PNG")
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode.startswith("I")
    decoded = decode_image(data)
    assert isinstance(decoded, DecodedImage)
    assert decoded.pixels[0, 0] == 128 and decoded.pixels[0, 31] == 255


def test_large_jpeg_is_decoded_reduced_but_reports_full_size() -> None:
    image = Image.new("RGB", (4000, 3000), (120, 130, 140))
    decoded = decode_image(encode(image, "JPEG"), max_side=1000)
    assert isinstance(decoded, DecodedImage)
    assert decoded.size == (4000, 3000)
    assert 1000 <= decoded.pixels.shape[1] < 4000
    assert decoded.scale == pytest.approx(decoded.pixels.shape[1] / 4000)
