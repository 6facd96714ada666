"""The dockerfile stack: the service brings its own Dockerfile (`dockerfile:`), built from its
directory; pipelinegen generates none, sets no toolchain up and runs its test command as given."""

from __future__ import annotations

from pipelinegen.stacks.base import Stack

STACK = Stack(name="dockerfile", bases=None, stages=None)
