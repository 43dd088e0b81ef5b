"""Moksori (목소리): bank your voice, then talk with it.

The package is a house of rooms; each imports only from the rooms below it (docs/architecture.md):
``cli`` → ``web`` → ``assistant`` → ``evaluation`` | ``calls`` → ``engine`` | ``asr`` → ``dataset`` →
``text`` | ``audio``.
"""

__version__ = "0.1.0"
