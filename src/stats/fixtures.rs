//! Tests against the reference numbers in tests/fixtures/stats.json (to come).
