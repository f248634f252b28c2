"""Decorators: each one builds a plan and hands it to the scheduler; none owns scheduling logic."""
