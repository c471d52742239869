"""Marts: one `<name>.sql` model and one `<name>.yml` dictionary entry per mart (assets in assets.py)."""
