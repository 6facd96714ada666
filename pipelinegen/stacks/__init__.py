"""Stacks whose whole knowledge lives in one module each: bases, files, Dockerfile stages, CI
toolchain. The shared tables (model.STACK_BASES, emit.stacks.STACKS, toolchain.DEFAULT_VERSIONS,
references.SUGGESTED_IMAGES, the CI TOOLCHAINS, init's detection) read them from here."""
