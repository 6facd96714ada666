"""The health command: exit 0 while the courier's loop keeps beating."""

import sys

from courier import alive

sys.exit(0 if alive() else 1)
