"""From inputs to files on disk: the plan (what every emitter writes), reuse of
unchanged outputs, the writer and its lock, the workspace a command reads, and
the report of problems and file differences.
"""
