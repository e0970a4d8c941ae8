"""zgcfund: the Zhongguancun social-organization support programme, end to end."""

__version__ = "0.1.0"
