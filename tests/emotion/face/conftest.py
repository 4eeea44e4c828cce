"""Fixtures for the face tests: a real face photo from matplotlib, image encoders, the model.

Every image is built in memory by the tests themselves; nothing is downloaded.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from matplotlib import cbook
from PIL import Image


@pytest.fixture(scope="session")
def grace_bytes() -> bytes:
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    with open(path, "rb") as handle:
        return handle.read()


@pytest.fixture(scope="session")
def grace_image(grace_bytes: bytes) -> Image.Image:
    with Image.open(io.BytesIO(grace_bytes)) as image:
        return image.convert("RGB")


@pytest.fixture(scope="module")
def face_reader() -> Any:
    """The committed model, loaded once a session (it is the slow part; tests/shared_models.py)."""
    from tests.shared_models import face_reader

    return face_reader()
