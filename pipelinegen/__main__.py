from __future__ import annotations

from pipelinegen.cli import main

main()
