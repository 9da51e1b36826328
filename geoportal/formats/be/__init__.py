"""Belarusian formats."""
