"""Scripts that print attune's speed and quality figures (no test asserts a timing).

Run each from the checkout's root as a module, ``.venv/bin/python -m bench.<name>``: Python
then puts the checkout first on ``sys.path``, so the bench measures this tree's ``bot``,
``emotion`` and ``responses`` (and reuses the test suite's fakes and data generators) without
any script editing ``sys.path`` itself.
"""
