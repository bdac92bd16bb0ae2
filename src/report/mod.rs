//! What a user reads: the article's epoch table, and later the report of a sweep.

pub mod table;
