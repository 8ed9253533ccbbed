from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`): it composes every app's services, so it lives on the
    top floor, above all of them."""

    name = "demo"
    verbose_name = "Demo data"
