from django.urls import URLPattern, URLResolver, path

from ttdn.programme import views

app_name = "programme"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.plan_list, name="plans"),
    path("import/", views.plan_import, name="plan_import"),
    path("import/<int:pk>/", views.draft_review, name="draft_review"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("my-reports/<int:period_pk>/open/", views.open_report, name="open_report"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/return/", views.return_report, name="return_report"),
    path("notifications/", views.notifications, name="notifications"),
    path("officers/", views.officers, name="officers"),
    path("training/", views.training, name="training"),
    path("training/<int:pk>/", views.training_class, name="training_class"),
    path("equipment/", views.equipment, name="equipment"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/reporting/", views.reporting, name="reporting"),
    path("<int:pk>/budget/", views.budget, name="budget"),
    path("<int:pk>/tasks/new/", views.task_edit, name="task_new"),
    path("<int:pk>/tasks/<int:task_pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/tasks/<int:task_pk>/edit/", views.task_edit, name="task_edit"),
    path("<int:pk>/indicators/<int:indicator_pk>/value/", views.indicator_value, name="indicator_value"),
    path("<int:pk>/annual-<int:year>.docx", views.annual_docx, name="annual_docx"),
    path("<int:pk>/phase-<int:phase>.docx", views.phase_docx, name="phase_docx"),
    path("<int:pk>/tasks.xlsx", views.tasks_xlsx, name="tasks_xlsx"),
    path("<int:pk>/budget.xlsx", views.budget_xlsx, name="budget_xlsx"),
]
