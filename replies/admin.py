"""The admin is for superusers; supervisors keep their brand's FAQ and facts on the desk's own
pages (``replies.views.faq``), where the rules run."""

from django.contrib import admin

from replies.models import Fact, FalseClaim, FaqEntry


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ("question", "brand", "language", "owner", "reviewed_at")
    list_filter = ("brand", "language")
    search_fields = ("question", "answer")
    raw_id_fields = ("owner",)


@admin.register(Fact)
class FactAdmin(admin.ModelAdmin):
    list_display = ("statement", "brand", "source", "verified_by", "valid_until")
    list_filter = ("brand",)
    search_fields = ("statement", "source")
    raw_id_fields = ("verified_by",)


@admin.register(FalseClaim)
class FalseClaimAdmin(admin.ModelAdmin):
    list_display = ("case", "comment", "fact", "marked_by", "marked_at")
    raw_id_fields = ("case", "comment", "fact", "marked_by")

    def has_change_permission(self, request, obj=None):
        return False
