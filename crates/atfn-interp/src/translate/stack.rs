//! The translator's control stack: one entry per open block, loop, `if` or the function
//! body, holding what branches to it need (label height and arity, loop header pc) and
//! the forward branches waiting for its end pc.

/// Kind of an open control construct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CtrlKind {
    /// The function body; branching to it returns.
    Func,
    Block,
    Loop,
    /// `if` whose conditional branch at `else_fixup` still waits for the else arm or end.
    If,
    Else,
}

/// A forward branch to patch when its target's end pc is known.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fixup {
    /// The branch instruction at this pc (its `dst`).
    Instr(u32),
    /// `br_table` entry at this index.
    Table(u32),
}

/// One open control construct.
#[derive(Debug)]
pub(super) struct Ctrl {
    pub kind: CtrlKind,
    /// Operand height of the label: entry height minus params.
    pub height: u32,
    /// Block parameters and results.
    pub params: u32,
    pub results: u32,
    /// Values a branch to this label carries: params for loops, results otherwise.
    pub branch_arity: u32,
    /// Loop header pc (loops only).
    pub start_pc: u32,
    /// Whether the construct was entered from unreachable code (then it emits nothing).
    pub dead: bool,
    /// pc of the conditional branch of an `if` without `else` yet.
    pub else_fixup: Option<u32>,
    /// Forward branches to patch with the end pc.
    pub fixups: Vec<Fixup>,
}
