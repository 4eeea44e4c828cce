"""What attune says back: crisis safety, tone choice, the reply bank, /why and corrections.

A pure library: no asyncio, no settings, no platform code. It reads only its own data files
(``responses/data/*.toml``, editable without touching code) and imports nothing of ours except
the shared emotion types (``emotion.labels``, ``emotion.fusion``).
"""
