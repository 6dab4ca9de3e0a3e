from django.contrib import admin

from brands.models import AssignmentRule, Brand, BrandAccount, Membership
from core.admin import AuditedAdmin


class BrandAccountInline(admin.TabularInline):
    model = BrandAccount
    extra = 1


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    raw_id_fields = ("user",)


@admin.register(Brand)
class BrandAdmin(AuditedAdmin):
    list_display = ("name", "slug", "language", "time_zone")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")
    inlines = [BrandAccountInline, MembershipInline]
    fieldsets = [
        (None, {"fields": ("name", "slug", "language", "time_zone")}),
        (
            "Reach that makes a negative comment red",
            {"fields": ("reach_followers", "reach_shares", "reach_likes")},
        ),
        (
            "Ripple: similar negative comments that turn red together",
            {"fields": ("ripple_min_authors", "ripple_window_minutes")},
        ),
        (
            "Deadlines: first response, then resolution (paused while waiting)",
            {
                "fields": (
                    "due_red_minutes",
                    "due_yellow_minutes",
                    "due_green_minutes",
                    "resolve_red_minutes",
                    "resolve_yellow_minutes",
                    "resolve_green_minutes",
                    "deadline_warn_minutes",
                    "department_due_hours",
                    "auto_assign",
                )
            },
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "brand", "role", "created_at")
    list_filter = ("brand", "role")
    search_fields = ("user__username", "user__email", "brand__name")
    raw_id_fields = ("user",)
    list_select_related = ("user", "brand")


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(AuditedAdmin):
    list_display = ("brand", "platform", "language", "position")
    list_filter = ("brand",)
    filter_horizontal = ("members",)
