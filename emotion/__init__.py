"""Emotion recognition from words and faces.

A pure library: no asyncio, no settings, no platform code.
"""
