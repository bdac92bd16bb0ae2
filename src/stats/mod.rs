//! Statistics over seeds: descriptive statistics of one sample ([`describe`]).

pub mod describe;
