//! Handlers of the loads and stores of memory 0 (WebAssembly 2.0 §4.4.7): the effective
//! address is the 32-bit address operand plus the static offset, computed in 64 bits so it
//! cannot wrap, with one bounds check against memory 0's current length.

/// A load of `$n` bytes as `$t`, extended to `$r`: `dst = load(cell a + offset b)`.
macro_rules! load {
    ($n:literal, $t:ty => $r:ty) => {
        |ip, fp, mem, len, cx, flag| {
            let i = instr(ip);
            // SAFETY: the verifier checked `a` and `dst` (module docs).
            let address = u64::from(unsafe { get(cx, fp, i.a) } as u32) + u64::from(i.b);
            let Some(at) = in_bounds(address, $n, len) else {
                return trap(ip, cx, Trap::MemoryOutOfBounds);
            };
            // SAFETY: `at .. at + $n` is inside memory 0's `len` bytes at `mem` (a byte
            // array: alignment 1).
            let bytes = unsafe { *mem.add(at).cast::<[u8; $n]>() };
            let v = <$t>::from_le_bytes(bytes) as $r;
            unsafe { set(cx, fp, i.dst, Cell::into_cell(v)) };
            step!(ip, fp, mem, len, cx, flag)
        }
    };
}

/// A store of the low `$n` bytes of cell `b` (as `$t`): `store(cell a + offset dst, b)`.
macro_rules! store {
    ($n:literal, $t:ty) => {
        |ip, fp, mem, len, cx, flag| {
            let i = instr(ip);
            // SAFETY: the verifier checked `a` and `b` (module docs).
            let address = u64::from(unsafe { get(cx, fp, i.a) } as u32) + u64::from(i.dst);
            let Some(at) = in_bounds(address, $n, len) else {
                return trap(ip, cx, Trap::MemoryOutOfBounds);
            };
            let v = (unsafe { get(cx, fp, i.b) } as $t).to_le_bytes();
            // SAFETY: `at .. at + $n` is inside memory 0's `len` bytes at `mem` (a byte
            // array: alignment 1).
            unsafe { *mem.add(at).cast::<[u8; $n]>() = v };
            step!(ip, fp, mem, len, cx, flag)
        }
    };
}
