//! The frame stack: one entry per suspended WebAssembly activation (callers of the running
//! function, or every activation when the executor is not running).

/// One activation record: which function, where to resume, where its locals start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frame {
    /// Store function address of the function.
    pub func: u32,
    /// Resume point: index into the function's translated code.
    pub pc: u32,
    /// Index of the frame's first local (parameter 0) in the value stack.
    pub base: u32,
}

/// Frames, outermost first.
#[derive(Debug, Default, Clone)]
pub(crate) struct FrameStack {
    pub frames: Vec<Frame>,
}
