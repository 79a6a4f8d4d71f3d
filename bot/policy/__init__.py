"""The approval policy: tiers by amount, their stages, approvers, deadlines, reminders and who
decides after an escalation. Loaded and validated once; a request carries its resolved route."""
