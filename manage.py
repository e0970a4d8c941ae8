#!/usr/bin/env python
"""Django management commands for zgcfund (same as ``zgcfund manage ...``)."""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    from zgcfund.web.manage import main

    main()
