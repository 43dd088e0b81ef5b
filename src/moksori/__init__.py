"""Moksori (목소리): bank your voice, then talk with it.

Architecture (data flows down this list, never back up):

- ``moksori.audio``    small pure DSP helpers shared by everything below
- ``moksori.text``     text front-end: normalise → pronounce → phonemes
- ``moksori.dataset``  check and prepare a person's recordings
- ``moksori.engine``   align → acoustic model → vocoder; ``Voice`` and ``train``
- ``moksori.evaluation`` objective scores of a voice against held-out recordings
- ``moksori.web``      the web app: api, pages, jobs, storage
"""

__version__ = "0.1.0"
