"""What the background jobs check: starting one is its kind's permission (``registry``);
watching and cancelling one is its owner's (``models.BackgroundJob.restrict_q``). No
permission of its own."""

PERMISSIONS = []
