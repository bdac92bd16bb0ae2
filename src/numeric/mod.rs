//! The maths library: pure functions of `f64` that give the same bits on every CPU (`exp`,
//! `ln`, `tanh`, normal draws) and the output layer's softmax, cross-entropy and argmax. No
//! state, no instruction-set dispatch: the model calls them from every path alike.

pub mod explog;
pub mod math;
pub mod normal;
pub mod tanh;

pub use explog::{exp, ln};
pub use tanh::tanh;
