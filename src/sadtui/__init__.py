"""sadtui: a keyboard-first terminal player for a ranked playlist."""

__version__ = "0.1.0"
