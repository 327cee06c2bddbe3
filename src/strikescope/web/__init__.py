"""The web dashboard and JSON API (`strikescope serve`)."""

from strikescope.web.app import create_app

__all__ = ["create_app"]
