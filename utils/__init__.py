"""Shared utilities of Auto Applyer."""
