"""Private file storage: evidence, commitment scans and generated PDFs live outside the web root
(settings.PRIVATE_FILES_DIR) and are served only through views that check access."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
