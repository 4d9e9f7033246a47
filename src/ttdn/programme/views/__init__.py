"""Pages of the plans, by sub-domain (`plans`, `tasks`, `drafts`, `reports`, `registries`; `common` holds what they
share). Thin: reads are scoped by ttdn.programme.permissions, every change goes through ttdn.programme.services,
and a refused operation is shown with its status (400/403/404/409). `ttdn.programme.urls` names each view."""
