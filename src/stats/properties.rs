//! Property tests over generated inputs (to come).
