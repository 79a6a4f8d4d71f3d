"""The approval workflow: the orchestrator (pure), its activities (I/O) and their blueprints."""
