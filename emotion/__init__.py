"""Emotion recognition from words and faces: a pure library (no asyncio, no settings, no platform code)."""
