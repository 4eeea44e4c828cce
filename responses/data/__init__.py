"""Data tables (TOML) of the responses package; a package so that they ship in the wheel."""
