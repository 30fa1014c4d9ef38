"""Textual screens and widgets of the checkout station.

Screens render workflow state and turn keys and scans into calls on the ports
in :mod:`screens.ports`; they never import the models or the database (an
import-linter contract). :func:`kiosk.app.build_app` wires them to the engine.
"""

from screens.app import StationApp
from screens.ports import Services, Session, TallyView

__all__ = ["Services", "Session", "StationApp", "TallyView"]
