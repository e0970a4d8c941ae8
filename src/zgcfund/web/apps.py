from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zgcfund.web"
    label = "web"
    verbose_name = "zgcfund web"
