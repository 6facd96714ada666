"""The health command: exit 0 while the notifier's loop keeps beating."""

import sys

from notifier import alive

sys.exit(0 if alive() else 1)
