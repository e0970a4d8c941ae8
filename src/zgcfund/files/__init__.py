"""Uploaded and generated files, below every app: private storage (``storage``), what a file really
is, judged by its content (``types``), image checks and thumbnails (``images``), display names and
sizes (``names``). Imports no app: accounts (registration certificates) and applications (evidence,
commitment scans, PDFs) both build on it."""
