"""Filters for plain-text e-mail templates (see ``accounts.domain.mail``)."""

from django import template

from zgcfund.accounts.domain.mail import mail_name

register = template.Library()
register.filter("mail_name", mail_name)
