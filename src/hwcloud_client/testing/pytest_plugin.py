"""pytest fixtures for the emulator (registered through the ``pytest11`` entry point)."""
