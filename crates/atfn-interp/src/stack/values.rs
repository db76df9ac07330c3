//! The value stack: one growable buffer of untyped 64-bit cells with a stack pointer. A
//! frame's locals start at its `base`; its operands follow. Capacity for a whole frame
//! (locals plus maximal operand height, known from translation) is reserved on function
//! entry, so the executor's pushes never reallocate.

/// Cells and the index of the first free cell.
#[derive(Debug, Default, Clone)]
pub(crate) struct ValueStack {
    /// Buffer; only `cells[..sp]` is live, the rest is reserved space.
    pub cells: Vec<u64>,
    /// Number of live cells.
    pub sp: usize,
}

/// Makes sure `cells` has at least `needed` cells, growing geometrically up to `max`.
/// Returns `false` (and leaves `cells` alone) if `needed > max`.
#[inline(always)]
pub(crate) fn reserve(cells: &mut Vec<u64>, needed: usize, max: usize) -> bool {
    if needed > max {
        return false;
    }
    if needed > cells.len() {
        grow(cells, needed, max);
    }
    true
}

/// The rare part of [`reserve`], kept out of line.
#[cold]
#[inline(never)]
fn grow(cells: &mut Vec<u64>, needed: usize, max: usize) {
    let new_len = needed.next_power_of_two().max(1024).min(max);
    cells.resize(new_len, 0);
}
