from django.urls import path

from brands import views

urlpatterns = [
    path("brand/switch/", views.brand_switch, name="brand-switch"),
    path("brand/duty/", views.duty_set, name="duty-set"),
    path("team/", views.team_page, name="team"),
    path("team/watchlist/", views.watchlist_page, name="watchlist"),
    path("team/members/add/", views.team_member_add, name="team-member-add"),
    path("team/members/<int:pk>/role/", views.team_member_role, name="team-member-role"),
    path("team/members/<int:pk>/remove/", views.team_member_remove, name="team-member-remove"),
]
