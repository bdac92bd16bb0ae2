//! The maths library, scalar and the same bits on every CPU: `exp`, `ln` and `tanh` made of
//! IEEE operations only (no libm), standard normal draws, and the output layer's softmax,
//! cross-entropy and argmax. Nothing here knows about instruction sets: the model calls the
//! same functions from every path.

pub(crate) mod explog;
pub(crate) mod math;
pub(crate) mod normal_draws;
pub(crate) mod tanh;

pub(crate) use explog::{exp, ln};
pub(crate) use tanh::tanh;
