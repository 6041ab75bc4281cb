from tests.complaints.workflow.fixtures import *  # noqa: F403
