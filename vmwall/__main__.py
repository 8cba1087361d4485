"""`python -m vmwall` is the `vmwall` command (used to start the hub from a bundled install)."""

import sys

from vmwall.cli import main

sys.exit(main())
