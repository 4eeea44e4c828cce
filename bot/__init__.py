"""attune's application: composition root, platform adapters, storage and command line."""
