//! The vector layer under the model: eight `f64` lanes on each instruction set
//! (`lanes`), which set this CPU has and which one runs ([`Isa`]), the loops written once
//! over the lanes (`kernel`: matrix-vector products, weighted row sums, the clipped
//! update), and storage aligned for them ([`aligned`]).
//!
//! `unsafe` lives in `lanes` and `Isa::run` only: an instruction set's vector can only
//! be made with that set's token, and only the CPU check hands tokens out (see `lanes`),
//! so the kernel and the model above it are safe code.

pub(crate) mod aligned;
mod isa;
pub(crate) mod kernel;
pub(crate) mod lanes;

pub use isa::Isa;
pub(crate) use isa::LaneTask;
#[cfg(test)]
pub(crate) use isa::say_unchecked_sets;
