"""Editorial work on material beyond the bare workflow: the appraisal opinion (a checklist the central office
configures, each criterion passed or failed) and publication scheduled for a date and time."""
