"""Mood history: queries, summaries, charts, exports and the commands that show them.

Kept free of heavy imports here (matplotlib loads only when a chart is drawn), because
``bot.storage.repository`` imports the query module from this package.
"""
