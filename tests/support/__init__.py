"""Helpers the tests start: real servers on loopback."""
