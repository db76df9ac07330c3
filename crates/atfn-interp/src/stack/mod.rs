//! The execution stacks, owned by the store as plain data: the value stack of 64-bit cells
//! (locals and operands of every frame) and the frame stack. While the executor runs, the
//! current frame lives in its registers; whenever control leaves the executor (return to the
//! embedder, host call, suspension) every frame is on the frame stack, so the pair below is
//! the complete WebAssembly execution state.

mod frames;
mod values;

pub(crate) use frames::{Frame, FrameStack};
pub(crate) use values::{ValueStack, reserve};

/// Value stack and frame stack together.
#[derive(Debug, Default, Clone)]
pub(crate) struct Stack {
    pub values: ValueStack,
    pub frames: FrameStack,
}
