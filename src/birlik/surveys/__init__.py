"""The Concept's target indicators, survey waves and their estimates, monitoring visits."""
