"""Time one command and report its own peak memory, from a small process.

Linux carries the memory high-water mark of the process that forks into the child's ru_maxrss,
so a child of the (large) harness would report at least the harness's size. This launcher is
started with `python -I -S` and imports only the standard library, so the figure it reports is
the command's own peak, or at most the launcher's size (`launcher_kib`) for smaller commands.

Usage: python -I -S launch.py RESULT.json COMMAND [ARG...]; stdio and cwd pass to the command.
"""

import json
import os
import sys
import time


def _own_peak_kib() -> int:
    # VmHWM is this process's own peak; getrusage(RUSAGE_SELF) would include what the parent
    # carried in at exec, the very thing this launcher exists to leave out.
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    result, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    launcher_kib = _own_peak_kib()  # after the spawn: at least what the command inherited
    with open(result, "w", encoding="utf-8") as stream:
        json.dump({"seconds": seconds, "max_rss_kib": usage.ru_maxrss,
                   "launcher_kib": launcher_kib,
                   "exit_code": os.waitstatus_to_exitcode(status)}, stream)


if __name__ == "__main__":
    main()
