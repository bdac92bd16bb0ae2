//! The vector layer under the model: eight `f64` lanes on each instruction set
//! ([`lanes`]), which set this CPU has and which one runs ([`Isa`]), the loops written once
//! over the lanes ([`kernel`]: matrix-vector products, weighted row sums, the clipped
//! update), and storage aligned for them ([`aligned`]).

pub mod aligned;
mod isa;
pub(crate) mod kernel;
pub(crate) mod lanes;

pub use isa::Isa;
pub(crate) use isa::LaneTask;
#[cfg(test)]
pub(crate) use isa::say_unchecked_sets;
