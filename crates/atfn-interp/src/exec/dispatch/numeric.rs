//! Handlers of the numeric, comparison and conversion instructions (and `Copy`): each reads
//! its operand cells `a` (and `b`) as the instruction's type, writes cell `dst` and falls
//! through. The macros make one handler from the operation's expression.

/// A handler computing `$e` from cell `a` read as `$t`.
macro_rules! un {
    ($a:ident : $t:ty => $e:expr) => {
        un_trap!($a: $t => Ok::<_, Trap>($e))
    };
}

/// A handler computing `$e` (a `Result`; `Err` traps) from cell `a` read as `$t`.
macro_rules! un_trap {
    ($a:ident : $t:ty => $e:expr) => {
        |ip, fp, mem, len, cx, flag| {
            let i = instr(ip);
            // SAFETY: the verifier checked `a` and `dst` (module docs).
            let $a = <$t as Cell>::from_cell(unsafe { get(cx, fp, i.a) });
            match $e {
                Ok(r) => unsafe { set(cx, fp, i.dst, Cell::into_cell(r)) },
                Err(e) => return trap(ip, cx, e),
            }
            step!(ip, fp, mem, len, cx, flag)
        }
    };
}

/// A handler computing `$e` from cells `a` and `b` read as `$t`.
macro_rules! bin {
    ($a:ident, $b:ident : $t:ty => $e:expr) => {
        bin_trap!($a, $b: $t => Ok::<_, Trap>($e))
    };
}

/// A handler computing `$e` (a `Result`; `Err` traps) from cells `a` and `b` read as `$t`.
macro_rules! bin_trap {
    ($a:ident, $b:ident : $t:ty => $e:expr) => {
        |ip, fp, mem, len, cx, flag| {
            let i = instr(ip);
            // SAFETY: the verifier checked `a`, `b` and `dst` (module docs).
            let $a = <$t as Cell>::from_cell(unsafe { get(cx, fp, i.a) });
            let $b = <$t as Cell>::from_cell(unsafe { get(cx, fp, i.b) });
            match $e {
                Ok(r) => unsafe { set(cx, fp, i.dst, Cell::into_cell(r)) },
                Err(e) => return trap(ip, cx, e),
            }
            step!(ip, fp, mem, len, cx, flag)
        }
    };
}
