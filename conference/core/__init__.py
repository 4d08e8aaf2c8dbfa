"""What every domain shares: model mixins, permissions, the audit log, personal-data
protection, language helpers, error pages and the demo-data registry."""
