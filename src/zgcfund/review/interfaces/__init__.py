"""Exporters of the review app: Excel workbooks and the review report PDF."""
