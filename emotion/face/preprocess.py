"""From decoded pixels and a face box to the 48x48 grey crop the network was trained on.

FER-2013 faces were found by a detector and registered to be centred, square and filling most
of the frame, so the crop is a square around the box's centre with a small margin; where it
runs past the photo's edge the border pixels are repeated rather than black (black borders
were never seen in training).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from emotion.photo import FaceBox

#: Side of the square grey face the network reads (FER-2013's 48x48).
INPUT_SIZE = 48

#: Extra room around the detector's box on each side, as a share of the box's side. Chosen by
#: eye against FER-2013 samples (faces fill the frame, chin near the bottom edge); the Haar
#: alt2 box already reaches from brows to mouth.
CROP_MARGIN = 0.05


def to_gray(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """RGB [H,W,3] or grey [H,W] uint8 -> grey [H,W] uint8 (ITU-R 601 luma, as Pillow's 'L')."""
    if pixels.ndim == 2:
        return pixels
    return np.asarray(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def square_around(box: FaceBox, margin: float = CROP_MARGIN) -> tuple[int, int, int]:
    """(left, top, side) of the square crop for ``box``."""
    side = round(max(box.width, box.height) * (1.0 + 2.0 * margin))
    cx = box.x + box.width / 2.0
    cy = box.y + box.height / 2.0
    return round(cx - side / 2.0), round(cy - side / 2.0), max(1, side)


def crop_face(
    gray: npt.NDArray[np.uint8],
    box: FaceBox,
    *,
    margin: float = CROP_MARGIN,
    size: int = INPUT_SIZE,
) -> npt.NDArray[np.uint8]:
    """The square face crop resized to ``size`` x ``size``; edge pixels fill past the border."""
    left, top, side = square_around(box, margin)
    height, width = gray.shape[:2]
    x0, y0 = max(0, left), max(0, top)
    x1, y1 = min(width, left + side), min(height, top + side)
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0:  # box entirely outside the image: nothing to read
        crop = gray
    elif (x1 - x0, y1 - y0) != (side, side):
        border = (y0 - top, top + side - y1, x0 - left, left + side - x1)
        crop = np.asarray(
            cv2.copyMakeBorder(np.ascontiguousarray(crop), *border, cv2.BORDER_REPLICATE),
            dtype=np.uint8,
        )
    interpolation = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(crop, (size, size), interpolation=interpolation), dtype=np.uint8)
