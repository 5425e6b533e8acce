"""Typed service clients. Each module is imported on first use of its facade attribute."""
