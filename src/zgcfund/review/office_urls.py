"""Office pages for review (mounted under /office/ in the ``office`` namespace)."""

from django.urls import path

from zgcfund.review.views import assign, decisions, exports, formal, history, ranking, selection, setup

urlpatterns = [
    # programme set-up: versions, the office's scheme, official conditions, the selection plan
    path("programmes/", setup.setup_home, name="programmes"),
    path("programmes/<str:code>/", setup.programme, name="programme"),
    path("programmes/<str:code>/v<int:version>/", setup.version, name="programme_version"),
    path("programmes/<str:code>/v<int:version>/source.yaml", setup.version_source, name="programme_source"),
    path("programmes/<str:code>/scheme/", setup.scheme_edit, name="scheme_edit"),
    path("programmes/<str:code>/conditions/", setup.conditions_edit, name="conditions_edit"),
    path("programmes/<str:code>/plan/", setup.plan_edit, name="selection_plan"),
    path("formal-review/", formal.queue, name="formal_queue"),
    path("formal-review/<int:pk>/", formal.review, name="formal_review"),
    path("assign/", assign.assign_home, name="assign_home"),
    path("assign/<str:code>/", assign.assign_list, name="assign"),
    path("assign/<str:code>/due/", assign.review_due, name="review_due"),
    path("assign/application/<int:pk>/", assign.assign_application, name="assign_application"),
    path("assignments/<int:pk>/unassign/", assign.unassign, name="unassign"),
    path("expert-reviews/<int:pk>/", assign.reviews, name="expert_reviews"),
    path("applications/<int:pk>/history/", history.application_history, name="application_history"),
    path("ranking/<str:code>/", ranking.ranking, name="ranking"),
    path("selection/<str:code>/", selection.selection_home, name="selection"),
    path("selection/saved/<int:pk>/", selection.selection_detail, name="selection_detail"),
    path("selection/saved/<int:pk>/confirm/", selection.selection_confirm, name="selection_confirm"),
    path("selection/saved/<int:pk>/publish/", selection.selection_publish, name="selection_publish"),
    path("selection/saved/<int:pk>/end-notice/", selection.selection_end_notice, name="selection_end_notice"),
    path("selection/saved/<int:pk>/objections/", selection.selection_objection, name="selection_objection"),
    path("decisions/", decisions.decision_list, name="decisions"),
    path("decisions/<int:pk>/", decisions.decision_detail, name="decision"),
    path("exports/", exports.exports_home, name="exports_home"),
    path("exports/<str:code>/", exports.export_list, name="exports"),
    path("exports/<str:code>/<slug:kind>.xlsx", exports.export_download, name="export_download"),
    path("review-report/<int:pk>.pdf", exports.review_report, name="review_report"),
]
