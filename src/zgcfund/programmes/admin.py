from django.contrib import admin

from zgcfund.programmes.models import ProgrammeYear


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(admin.ModelAdmin):
    """Read-only: programme years are loaded with ``load_programme``, never edited."""

    list_display = ("code", "version", "year", "title", "scoring_version", "short_hash", "loaded_at", "is_current")
    list_filter = ("year", "is_current")
    readonly_fields = tuple(f.name for f in ProgrammeYear._meta.fields)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
