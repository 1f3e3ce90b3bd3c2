"""Pieces every page draws with: escaped text, forms with field errors, status labels."""
