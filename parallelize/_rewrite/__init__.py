"""The loop rewriter: turns a safe top-level ``for`` loop into parallel iterations with serial results."""
