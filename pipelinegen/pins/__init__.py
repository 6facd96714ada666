"""Pins: base image digests in services.yaml (images) and action SHAs in the lock (actions).
"""
