"""The Insights API over synthetic delivery: params (params.py), windows (dates.py), breakdown buckets
(buckets.py), rows (report.py), field values (metrics.py) and async AdReportRun jobs (jobs.py).
Tables: schemas/rules/insights.json; errors: schemas/rules/errors.insights.json."""
