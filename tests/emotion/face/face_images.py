"""Images the face tests build in memory: encoders, a PNG bomb, a landscape without faces."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

Encode = Callable[..., bytes]


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A valid-looking PNG header that claims ``width`` x ``height`` with almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + png_chunk(b"IEND", b"")
    )


def landscape(width: int = 960, height: int = 640, seed: int = 7) -> npt.NDArray[np.uint8]:
    """A procedural landscape: sky gradient, sun, noisy hills, a lake. No face anywhere."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 3), dtype=np.float64)
    sky = ys / height
    image[..., 0] = 90 + 100 * sky
    image[..., 1] = 150 + 60 * sky
    image[..., 2] = 235 - 30 * sky
    sun = (xs - width * 0.75) ** 2 + (ys - height * 0.2) ** 2 < (height * 0.07) ** 2
    image[sun] = (255, 230, 120)
    ridge = height * (0.55 + 0.08 * np.sin(xs / 90.0) + 0.04 * np.sin(xs / 23.0 + 1.0))
    hills = ys > ridge
    image[hills] = np.stack([40 + 0 * xs, 110 + 30 * np.sin(xs / 40.0), 40 + 0 * xs], -1)[hills]
    lake = ys > height * 0.82
    image[lake] = (60, 90, 160)
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)
