"""The programs: daemon, command line, demo, lab and benchmark tools.

Importing this package first makes sure a compiled build of the hot modules is used
only while it matches their sources (`ops.compiled`): every program starts here
before it imports anything that may be compiled.
"""

import sys

from ops.compiled import use_current_build

_removed = use_current_build()
if _removed is not None:
    print(f"leaseledger: {_removed}", file=sys.stderr)
