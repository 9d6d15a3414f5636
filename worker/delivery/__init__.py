"""Delivering an article through the chain: the chain's wire format (``chain``), the stage tasks'
shared base with its retries, poison splitting and dead letters (``stage_task``), and the
delivery counts that catch a message killing its worker (``deliveries``)."""
