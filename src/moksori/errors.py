"""Errors whose message is written for a person, in plain English words, with a ``code`` (and its
numbers in ``params``) for an interface that words the same thing in another language."""

from __future__ import annotations


class PlainError(ValueError):
    def __init__(self, message: str, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params
