"""Image intake: untrusted bytes from any adapter -> an upright pixel array, or a typed problem.

Why this order of checks: everything that can be refused from the size of the bytes or the
image header is refused before a single pixel is decoded, so a decompression bomb (a tiny PNG
that claims 20000x20000) costs nothing. Only JPEG, PNG and WebP are accepted; GIF, BMP, TIFF,
HEIC and the like are recognised so the sender can be told "unsupported" rather than "not an
image". Bytes stay in memory: nothing is written to disk or logged.

Large JPEGs are decoded at a reduced scale (libjpeg's DCT scaling via ``Image.draft``), which
is most of what keeps a 12-megapixel photo fast; faces need far fewer pixels than cameras give.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from emotion.photo import PhotoProblem

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 16

SUPPORTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})  # MPO: phone JPEGs with extras
# Recognised (so the answer can be "unsupported" rather than "not an image"), never decoded.
_KNOWN_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
_OTHER_SIGNATURES = (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif", b"ftypmsf1")
_TRANSPOSING = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """Upright pixels: ``[H, W, 3]`` RGB or ``[H, W]`` grey, uint8.

    ``size`` is the full upright (width, height) the sender's image has; ``pixels`` may be
    smaller when a reduced decode was asked for, ``scale`` maps between the two.
    """

    pixels: npt.NDArray[np.uint8]
    format: str
    size: tuple[int, int]

    @property
    def scale(self) -> float:
        """Decoded pixels per original pixel (1.0 unless decoded at a reduced size)."""
        return float(self.pixels.shape[1]) / self.size[0]

    @property
    def is_gray(self) -> bool:
        return self.pixels.ndim == 2


def decode_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    min_side: int = MIN_SIDE,
    max_side: int | None = None,
) -> DecodedImage | PhotoProblem:
    """Decode ``data`` or say why not; never raises for any input bytes.

    ``max_side`` asks for a cheaper decode whose longer side is at least ``max_side`` (not
    exact: JPEGs shrink by powers of two while decoding, other formats by whole factors).
    """
    if not data:
        return PhotoProblem.EMPTY
    if len(data) > max_bytes:
        return PhotoProblem.TOO_LARGE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns on big headers; we refuse those ourselves
        return _decode(data, max_pixels=max_pixels, min_side=min_side, max_side=max_side)


def _decode(
    data: bytes, *, max_pixels: int, min_side: int, max_side: int | None
) -> DecodedImage | PhotoProblem:
    try:
        image = Image.open(io.BytesIO(data), formats=_KNOWN_FORMATS)
    except Image.DecompressionBombError:
        return PhotoProblem.TOO_MANY_PIXELS
    except UnidentifiedImageError:
        return _unidentified(data)
    except Exception:  # a recognised header that is broken
        return PhotoProblem.TRUNCATED
    with image:
        header = _check_header(image, max_pixels=max_pixels, min_side=min_side)
        if header is not None:
            return header
        orientation = _orientation(image)
        width, height = image.size
        if orientation in _TRANSPOSING:
            width, height = height, width
        try:
            if max_side is not None and image.format in {"JPEG", "MPO"}:
                factor = max(image.size) / max_side
                image.draft(image.mode, (int(image.size[0] / factor), int(image.size[1] / factor)))
            image.load()
            upright = _reduce(ImageOps.exif_transpose(image), max_side)
            pixels = _to_array(upright)
        except Exception:  # libjpeg/zlib/libwebp errors: data cut short or corrupt
            return PhotoProblem.TRUNCATED
        return DecodedImage(pixels=pixels, format=str(image.format), size=(width, height))


def _unidentified(data: bytes) -> PhotoProblem:
    head = data[:32]
    if any(sig in head for sig in _OTHER_SIGNATURES):
        return PhotoProblem.UNSUPPORTED_FORMAT
    return PhotoProblem.NOT_AN_IMAGE


def _check_header(image: Image.Image, *, max_pixels: int, min_side: int) -> PhotoProblem | None:
    width, height = image.size
    if width * height > max_pixels:
        return PhotoProblem.TOO_MANY_PIXELS
    if getattr(image, "is_animated", False) and image.format != "MPO":
        return PhotoProblem.ANIMATED
    if image.format not in SUPPORTED_FORMATS:
        return PhotoProblem.UNSUPPORTED_FORMAT
    if min(width, height) < min_side:
        return PhotoProblem.TOO_SMALL
    return None


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # a broken EXIF block is no reason to refuse the photo
        return 1
    return int(value) if isinstance(value, int) else 1


def _reduce(image: Image.Image, max_side: int | None) -> Image.Image:
    if max_side is None:
        return image
    factor = max(image.size) // max_side
    return image.reduce(factor) if factor >= 2 else image


def _to_array(image: Image.Image) -> npt.NDArray[np.uint8]:
    """Any Pillow mode -> uint8 grey [H,W] or RGB [H,W,3]; transparency goes onto white."""
    mode = image.mode
    if mode in {"I;16", "I;16L", "I;16B", "I;16N", "I"}:
        wide = np.asarray(image, dtype=np.int64)
        top = 65535 if mode != "I" or wide.max(initial=0) > 255 else 255
        return np.clip(wide * 255 // top, 0, 255).astype(np.uint8)
    if mode in {"L", "1"}:
        return np.asarray(image.convert("L"), dtype=np.uint8)
    if mode in {"LA", "La", "PA", "RGBA", "RGBa"} or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"), dtype=np.uint8)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)
