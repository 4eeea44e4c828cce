"""Test videos made here with OpenCV's VideoWriter: the sample portrait as a video selfie."""

from __future__ import annotations

import os
import tempfile

import cv2
import numpy as np
import numpy.typing as npt
from matplotlib import cbook
from PIL import Image


def portrait_bgr(side: int) -> npt.NDArray[np.uint8]:
    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as image:
        rgb = np.asarray(image.convert("RGB").resize((side, round(side * 600 / 512))), np.uint8)
    return np.ascontiguousarray(rgb[..., ::-1])


def write_video(
    frames: list[npt.NDArray[np.uint8]], fps: float = 30.0, fourcc: str = "mp4v", ext: str = "mp4"
) -> bytes:
    """BGR frames -> video file bytes (written to a temporary file, read back, removed)."""
    height, width = frames[0].shape[:2]
    handle, path = tempfile.mkstemp(suffix=f".{ext}")
    os.close(handle)
    try:
        writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*fourcc), fps, (width, height))
        assert writer.isOpened(), f"VideoWriter cannot write {fourcc} here"
        for frame in frames:
            writer.write(frame)
        writer.release()
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)


def selfie_video(seconds: float = 4.0, side: int = 480, fps: float = 30.0) -> bytes:
    """A round-video-like square clip: the portrait drifting slowly over a grey background."""
    face = portrait_bgr(side * 3 // 4)
    frames = []
    for i in range(int(seconds * fps)):
        canvas = np.full((side, side, 3), 90, np.uint8)
        dx = int(10 * np.sin(i / 15.0))
        x0, y0 = (side - face.shape[1]) // 2 + dx, 0
        crop = face[: side - y0, : side - x0]
        canvas[y0 : y0 + crop.shape[0], x0 : x0 + crop.shape[1]] = crop
        frames.append(canvas)
    return write_video(frames, fps)


def faceless_video(seconds: float = 2.0, side: int = 320, fps: float = 15.0) -> bytes:
    rng = np.random.default_rng(0)
    frames = [
        np.clip(rng.normal(120, 30, (side, side, 3)), 0, 255).astype(np.uint8)
        for _ in range(int(seconds * fps))
    ]
    return write_video(frames, fps)


def talking_video(wav: bytes, side: int = 320, fps: int = 15) -> bytes:
    """The portrait as an MP4 (MPEG-4 video, AAC sound) saying the words in ``wav``, muxed with
    PyAV: a video note with speech in it."""
    import io

    import av

    face = portrait_bgr(side * 3 // 4)
    canvas = np.full((side, side, 3), 90, np.uint8)
    rows, left = min(side, face.shape[0]), (side - face.shape[1]) // 2
    canvas[:rows, left : left + face.shape[1]] = face[:rows]
    rgb = np.ascontiguousarray(canvas[..., ::-1])
    out = io.BytesIO()
    with av.open(io.BytesIO(wav), mode="r") as source:
        audio_frames = list(source.decode(audio=0))
    seconds = sum(f.samples for f in audio_frames) / audio_frames[0].sample_rate
    with av.open(out, mode="w", format="mp4") as sink:
        video = sink.add_stream("mpeg4", rate=fps)
        video.width, video.height, video.pix_fmt = side, side, "yuv420p"
        audio = sink.add_stream("aac", rate=48000, layout="mono")
        for _ in range(int(seconds * fps) + fps):
            for packet in video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                sink.mux(packet)
        for packet in video.encode(None):
            sink.mux(packet)
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=48000)
        for frame in audio_frames:
            for piece in resampler.resample(frame):
                for packet in audio.encode(piece):
                    sink.mux(packet)
        for packet in audio.encode(None):
            sink.mux(packet)
    return out.getvalue()


def camera_frame(
    width: int = 640, height: int = 480, background: int = 90
) -> npt.NDArray[np.uint8]:
    """The fake camera's picture (BGR): the portrait in the middle of a grey frame."""
    face = portrait_bgr(min(width, height) * 3 // 5)
    frame = np.full((height, width, 3), background, np.uint8)
    top, left = (height - face.shape[0]) // 2, (width - face.shape[1]) // 2
    frame[max(0, top) : top + face.shape[0], left : left + face.shape[1]] = face[
        max(0, -top) : height - top
    ]
    return frame


#: The live clip's background greys, each held for ``SHADE_S`` seconds: a frame's shade tells
#: which part of the clip it came from (all within 24 of ``camera_frame``'s 90, so a picture
#: drawn on is still told from the camera's own by a difference of more than 80).
SHADES = (66, 78, 90, 102, 114)
SHADE_S = 0.6
#: The clip's frame rate (frames a second), as its header declares it.
CLIP_FPS = 15
#: The ticker: a square a little lighter than the background that steps right every frame, so
#: no two frames of a loop are the same picture.
TICKER = 16
TICKER_LIFT = 30


def live_frame(i: int, width: int = 640, height: int = 480) -> npt.NDArray[np.uint8]:
    """Frame ``i`` of the live clip (BGR): ``camera_frame`` on its shade, with the ticker."""
    shade = SHADES[int(i / (SHADE_S * CLIP_FPS)) % len(SHADES)]
    frame = camera_frame(width, height, shade)
    x = 8 + (i * 12) % (width - 2 * TICKER)
    frame[8 : 8 + TICKER, x : x + TICKER] = shade + TICKER_LIFT
    return frame


def write_y4m(path: str, seconds: float = 3.0, width: int = 640, height: int = 480) -> None:
    """A YUV4MPEG2 file of ``live_frame`` 0, 1, … (Chromium's fake camera plays it on a loop):
    the still portrait, its background stepping through ``SHADES``, the ticker moving."""
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{CLIP_FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(int(seconds * CLIP_FPS)):
            frame = live_frame(i, width, height)
            i420 = np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420), np.uint8).tobytes()
            out.write(b"FRAME\n" + i420)


def four_hour_video() -> bytes:
    """A tiny MP4 whose two frames are four hours apart: a 4-hour video by its header."""
    import io
    from fractions import Fraction

    import av

    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as sink:
        stream = sink.add_stream("mpeg4", rate=15)
        stream.width, stream.height, stream.pix_fmt = 160, 160, "yuv420p"
        for pts in (0, 15 * 4 * 3600):
            frame = av.VideoFrame.from_ndarray(np.full((160, 160, 3), 90, np.uint8), "rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, 15)
            for packet in stream.encode(frame):
                sink.mux(packet)
        for packet in stream.encode(None):
            sink.mux(packet)
    return out.getvalue()
