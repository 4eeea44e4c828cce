"""Voice and video reading speed (issue 17), as the bot runs them, on recordings made here.

Voice: espeak-ng (Debian package) reads a fixed set of English sentences (about ten seconds each
when joined in pairs); each is encoded as OGG/Opus like a Telegram voice message and transcribed
by ``emotion.voice.whisper``. Prints the time per ten-second message (p50, p95) and the word
error rate (Levenshtein distance over words / reference words, after lower-casing and dropping
punctuation) against the text spoken. Synthetic speech is cleaner than a phone's microphone: the
WER here is a floor, not what people will see.

Video: a 10-second 640x640 30 fps video note (the sample portrait drifting), made with OpenCV's
VideoWriter (MPEG-4 part 2) and read end to end by ``emotion.video.reader`` (decode, 4 frames/s,
detect, classify, summarise).

Webcam: the live view's work per 640x480 frame (BlazeFace short range, the expression network,
OpenCV drawing, the one-minute chart) and the frame rate it sustains. The last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import re
import time

import numpy as np

from tests.emotion.voice.speech import espeak_wav, to_ogg_opus

SENTENCES = (
    "I had a really rough day at work today and my manager shouted at me in front of everyone.",
    "We went to the beach this weekend and the weather was perfect, I feel so relaxed now.",
    "My sister is moving away next month and I don't know how I am going to cope without her.",
    "I finally finished the project I have been working on for six months and it went well.",
    "The train was late again this morning so I missed the first half of the meeting.",
    "I keep waking up at three in the morning worrying about money and I can't fall asleep.",
    "My best friend surprised me with a birthday cake and all my old classmates came over.",
    "I feel like nobody really listens to me when I try to explain how I feel about things.",
)
TARGETS = {"voice_10s_p50_s": 3.0, "video_10s_p50_s": 2.0}
MINIMUMS = {"webcam_fps": 15.0}


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words (substitutions + insertions + deletions)."""
    row = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, hyp in enumerate(hypothesis, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ref != hyp))
    return row[-1]


def voice(repeats: int) -> dict[str, float]:
    from emotion.voice.whisper import load_transcriber

    transcriber = load_transcriber()
    messages = [
        (f"{a} {b}", to_ogg_opus(espeak_wav(f"{a} {b}")))
        for a, b in zip(SENTENCES[::2], SENTENCES[1::2], strict=True)
    ]
    transcriber.transcribe(messages[0][1])  # warm up
    times, durations, errors, total = [], [], 0, 0
    for _ in range(repeats):
        for spoken, data in messages:
            start = time.perf_counter()
            heard = transcriber.transcribe(data)
            times.append(time.perf_counter() - start)
            durations.append(heard.duration_s)
            if len(times) <= len(messages):
                errors += word_errors(words(spoken), words(heard.text))
                total += len(words(spoken))
    per_10s = [t * 10.0 / d for t, d in zip(times, durations, strict=True)]
    return {
        "voice_messages": len(messages),
        "voice_mean_duration_s": round(float(np.mean(durations)), 2),
        "voice_10s_p50_s": round(float(np.percentile(per_10s, 50)), 3),
        "voice_10s_p95_s": round(float(np.percentile(per_10s, 95)), 3),
        "voice_wer": round(errors / max(1, total), 4),
    }


def video(repeats: int) -> dict[str, float]:
    """A 10-second 640x640 30 fps video note of the sample portrait, read end to end."""
    from emotion.face.reader import load_face_reader
    from emotion.video.reader import VideoReader
    from tests.emotion.video.clips import selfie_video

    reader = VideoReader(load_face_reader())
    clip = selfie_video(seconds=10.0, side=640, fps=30.0)
    reading = reader.read(clip)
    if reading.estimate is None:
        raise SystemExit(f"bench video not read: {reading.problem}")
    times = []
    for _ in range(max(3, repeats)):
        start = time.perf_counter()
        reader.read(clip)
        times.append(time.perf_counter() - start)
    return {
        "video_frames_sampled": reading.frames_sampled,
        "video_10s_p50_s": round(float(np.percentile(times, 50)), 3),
        "video_10s_max_s": round(max(times), 3),
    }


def webcam(frames: int = 150) -> dict[str, float]:
    """The live view's per-frame work at 640x480 (detect, classify, draw, chart), as the web
    demo's worker runs it: frames a second it sustains on this machine."""
    from emotion.face.live import LiveAnnotator, LiveTimeline
    from emotion.face.reader import load_face_reader
    from tests.emotion.video.clips import camera_frame

    annotator, timeline = LiveAnnotator(load_face_reader()), LiveTimeline()
    rgb = np.ascontiguousarray(camera_frame()[..., ::-1])
    if not annotator.annotate(rgb).faces:
        raise SystemExit("bench webcam frame: no face found")
    times = []
    for i in range(frames):
        start = time.perf_counter()
        drawn = annotator.annotate(rgb)
        timeline.add(drawn.main, at=i / 15)
        timeline.render()
        times.append(time.perf_counter() - start)
    return {
        "webcam_frame_p50_ms": round(1000 * float(np.percentile(times, 50)), 2),
        "webcam_frame_p95_ms": round(1000 * float(np.percentile(times, 95)), 2),
        "webcam_fps": round(1.0 / float(np.mean(times)), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    figures: dict[str, float] = {}
    figures.update(voice(args.repeats))
    figures.update(video(args.repeats))
    figures.update(webcam())
    for key, value in figures.items():
        target = TARGETS.get(key)
        verdict = (
            ""
            if target is None
            else f"  target <= {target}: " + ("ok" if value <= target else "MISSED")
        )
        print(f"{key:24} {value}{verdict}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
