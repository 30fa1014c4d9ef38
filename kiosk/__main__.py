"""``python -m kiosk``: the same as the ``kiosk`` command."""

import sys

from kiosk.drivers import main

sys.exit(main())
