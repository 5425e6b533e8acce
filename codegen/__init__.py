"""Code generation for hwcloud-client: fact extraction from the pinned official SDK packages (dev-only).

Nothing here is imported by ``hwcloud_client``; the official packages are test-only oracles.
"""
