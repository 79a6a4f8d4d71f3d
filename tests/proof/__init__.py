"""Tests that try hard to break the product: crashes, a flaky Slack, bad input, races and load."""
