"""The zgcfund Django project: settings, URLs, WSGI/ASGI entry points, home page."""
