"""Private file storage: evidence, commitment scans and generated PDFs live outside the web root
(settings.PRIVATE_FILES_DIR) and are served only through views that check access.

Model fields get a proxy that looks up ``storages["private"]`` on every use, so a changed
STORAGES setting (tests, a different deployment) takes effect without re-importing models.
"""

from django.core.files.storage import Storage, storages


class PrivateStorage(Storage):
    @staticmethod
    def target() -> Storage:
        return storages["private"]

    def save(self, name, content, max_length=None):
        return self.target().save(name, content, max_length=max_length)

    def open(self, name, mode="rb"):
        return self.target().open(name, mode)

    def delete(self, name):
        return self.target().delete(name)

    def exists(self, name):
        return self.target().exists(name)

    def size(self, name):
        return self.target().size(name)

    def path(self, name):
        return self.target().path(name)

    def url(self, name):
        return self.target().url(name)

    def listdir(self, path):
        return self.target().listdir(path)

    def generate_filename(self, filename):
        return self.target().generate_filename(filename)

    def get_available_name(self, name, max_length=None):
        return self.target().get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.target().get_valid_name(name)

    def get_created_time(self, name):
        return self.target().get_created_time(name)

    def get_modified_time(self, name):
        return self.target().get_modified_time(name)


_PRIVATE = PrivateStorage()


def private_storage():
    return _PRIVATE
