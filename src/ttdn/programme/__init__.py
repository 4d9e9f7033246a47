"""Running the provincial plans: plans, tasks, indicators, progress reports, officers and training, equipment
roll-out and budget, with completeness, timeliness and attainment computed."""
