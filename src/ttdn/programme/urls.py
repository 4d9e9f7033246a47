from django.urls import URLPattern, URLResolver, path

from ttdn.programme.views import drafts, plans, registries, reports, tasks

app_name = "programme"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", plans.plan_list, name="plans"),
    path("import/", drafts.plan_import, name="plan_import"),
    path("import/<int:pk>/", drafts.draft_review, name="draft_review"),
    path("my-reports/", reports.my_reports, name="my_reports"),
    path("my-reports/<int:period_pk>/open/", reports.open_report, name="open_report"),
    path("reports/<int:pk>/", reports.report, name="report"),
    path("reports/<int:pk>/return/", reports.return_report, name="return_report"),
    path("notifications/", reports.notifications, name="notifications"),
    path("officers/", registries.officers, name="officers"),
    path("training/", registries.training, name="training"),
    path("training/<int:pk>/", registries.training_class, name="training_class"),
    path("equipment/", registries.equipment, name="equipment"),
    path("<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("<int:pk>/dashboard/", plans.dashboard, name="dashboard"),
    path("<int:pk>/reporting/", plans.reporting, name="reporting"),
    path("<int:pk>/budget/", plans.budget, name="budget"),
    path("<int:pk>/tasks/new/", tasks.task_edit, name="task_new"),
    path("<int:pk>/tasks/<int:task_pk>/", tasks.task_detail, name="task_detail"),
    path("<int:pk>/evidence/<int:evidence_pk>/", tasks.evidence_file, name="evidence_file"),
    path("<int:pk>/tasks/<int:task_pk>/edit/", tasks.task_edit, name="task_edit"),
    path("<int:pk>/indicators/<int:indicator_pk>/value/", plans.indicator_value, name="indicator_value"),
    path("<int:pk>/annual-<int:year>.docx", plans.annual_docx, name="annual_docx"),
    path("<int:pk>/phase-<int:phase>.docx", plans.phase_docx, name="phase_docx"),
    path("<int:pk>/tasks.xlsx", plans.tasks_xlsx, name="tasks_xlsx"),
    path("<int:pk>/budget.xlsx", plans.budget_xlsx, name="budget_xlsx"),
]
