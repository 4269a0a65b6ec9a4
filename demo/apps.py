from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo network `manage.py load_demo` builds: invented organisations, people and places."""

    name = "demo"
    verbose_name = "Demo network"
