//! A minimal WASI preview 1 (`wasi_snapshot_preview1`) for hosting real toolchains' output:
//! `fd_write` to stdout/stderr log sinks, `clock_time_get`, `random_get`, empty
//! environment and arguments, `poll_oneoff` for clock subscriptions, `sched_yield` and
//! `proc_exit`. No filesystem, no sockets: every other descriptor is `EBADF`.
//! Function signatures and struct layouts follow the WASI preview 1 witx
//! (`wasi_snapshot_preview1.witx`).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::error::Trap;
use crate::host::{Caller, HostAction};
use crate::linker::Linker;
use crate::value::{FuncType, ValType, Value};

/// WASI errno values used here.
mod errno {
    pub const SUCCESS: i32 = 0;
    pub const BADF: i32 = 8;
    pub const FAULT: i32 = 21;
    pub const INVAL: i32 = 28;
    pub const NOTSUP: i32 = 58;
}

/// State of the WASI subset: output sinks and clock origin.
#[derive(Debug, Clone)]
pub struct WasiCtx {
    /// Bytes written to file descriptor 1.
    pub stdout: Vec<u8>,
    /// Bytes written to file descriptor 2.
    pub stderr: Vec<u8>,
    /// Most bytes kept per sink; later writes are counted as written but dropped.
    /// Default 1 MiB.
    pub max_output: usize,
    started: Instant,
}

impl Default for WasiCtx {
    fn default() -> Self {
        Self {
            stdout: Vec::new(),
            stderr: Vec::new(),
            max_output: 1 << 20,
            started: Instant::now(),
        }
    }
}

/// Gives the WASI functions access to the [`WasiCtx`] inside the store's data.
pub trait WasiView {
    /// The WASI state.
    fn wasi(&mut self) -> &mut WasiCtx;
}

impl WasiView for WasiCtx {
    fn wasi(&mut self) -> &mut WasiCtx {
        self
    }
}

const MODULE: &str = "wasi_snapshot_preview1";

fn i32s(n: usize) -> Vec<ValType> {
    vec![ValType::I32; n]
}

fn arg(args: &[Value], i: usize) -> u32 {
    match args.get(i) {
        Some(Value::I32(v)) => *v as u32,
        Some(Value::I64(v)) => *v as u32,
        _ => 0,
    }
}

fn ret(errno: i32) -> Result<HostAction, Trap> {
    Ok(HostAction::Return(vec![Value::I32(errno)]))
}

/// Checked view of `len` bytes at `ptr` of the caller's memory.
fn slice(mem: &mut [u8], ptr: u32, len: usize) -> Option<&mut [u8]> {
    mem.get_mut(ptr as usize..(ptr as usize).checked_add(len)?)
}

fn read_u32(mem: &mut [u8], ptr: u32) -> Option<u32> {
    Some(u32::from_le_bytes(slice(mem, ptr, 4)?.try_into().ok()?))
}

fn write_bytes(mem: &mut [u8], ptr: u32, bytes: &[u8]) -> Option<()> {
    slice(mem, ptr, bytes.len())?.copy_from_slice(bytes);
    Some(())
}

/// Registers the WASI subset under `wasi_snapshot_preview1` in `linker`.
pub fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>) {
    let ty = |params: Vec<ValType>| FuncType::new(params, [ValType::I32]);
    linker.func(MODULE, "fd_write", ty(i32s(4)), fd_write);
    linker.func(
        MODULE,
        "clock_time_get",
        ty(vec![ValType::I32, ValType::I64, ValType::I32]),
        clock_time_get,
    );
    linker.func(MODULE, "random_get", ty(i32s(2)), random_get);
    for name in ["environ_sizes_get", "args_sizes_get"] {
        linker.func(MODULE, name, ty(i32s(2)), sizes_get);
    }
    for name in ["environ_get", "args_get"] {
        linker.func(MODULE, name, ty(i32s(2)), |_, _| ret(errno::SUCCESS));
    }
    linker.func(MODULE, "poll_oneoff", ty(i32s(4)), poll_oneoff);
    linker.func(MODULE, "sched_yield", ty(vec![]), |_, _| {
        ret(errno::SUCCESS)
    });
    linker.func(
        MODULE,
        "proc_exit",
        FuncType::new([ValType::I32], []),
        |_, args| Err(Trap::Exit(arg(args, 0) as i32)),
    );
}

fn fd_write<T: WasiView>(caller: &mut Caller<'_, T>, args: &[Value]) -> Result<HostAction, Trap> {
    let (fd, iovs, n, nwritten) = (arg(args, 0), arg(args, 1), arg(args, 2), arg(args, 3));
    if fd != 1 && fd != 2 {
        return ret(errno::BADF);
    }
    let Some(mem) = caller.memory_mut() else {
        return ret(errno::FAULT);
    };
    let mut out = Vec::new();
    for i in 0..n {
        let at = iovs.wrapping_add(i.wrapping_mul(8));
        let (Some(ptr), Some(len)) = (read_u32(mem, at), read_u32(mem, at.wrapping_add(4))) else {
            return ret(errno::FAULT);
        };
        let Some(bytes) = slice(mem, ptr, len as usize) else {
            return ret(errno::FAULT);
        };
        out.extend_from_slice(bytes);
    }
    if write_bytes(mem, nwritten, &(out.len() as u32).to_le_bytes()).is_none() {
        return ret(errno::FAULT);
    }
    let ctx = caller.data_mut().wasi();
    let max = ctx.max_output;
    let sink = if fd == 1 {
        &mut ctx.stdout
    } else {
        &mut ctx.stderr
    };
    let room = max.saturating_sub(sink.len()).min(out.len());
    sink.extend_from_slice(&out[..room]);
    ret(errno::SUCCESS)
}

/// Nanoseconds of clock `id` (0 realtime, 1 monotonic, 2/3 CPU time as monotonic).
fn now<T: WasiView>(caller: &mut Caller<'_, T>, id: u32) -> Option<u64> {
    match id {
        0 => Some(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .ok()?
                .as_nanos() as u64,
        ),
        1..=3 => Some(caller.data_mut().wasi().started.elapsed().as_nanos() as u64),
        _ => None,
    }
}

fn clock_time_get<T: WasiView>(
    caller: &mut Caller<'_, T>,
    args: &[Value],
) -> Result<HostAction, Trap> {
    let (id, out) = (arg(args, 0), arg(args, 2));
    let Some(t) = now(caller, id) else {
        return ret(errno::INVAL);
    };
    match caller
        .memory_mut()
        .and_then(|m| write_bytes(m, out, &t.to_le_bytes()))
    {
        Some(()) => ret(errno::SUCCESS),
        None => ret(errno::FAULT),
    }
}

fn random_get<T: WasiView>(caller: &mut Caller<'_, T>, args: &[Value]) -> Result<HostAction, Trap> {
    let (ptr, len) = (arg(args, 0), arg(args, 1));
    let Some(buf) = caller
        .memory_mut()
        .and_then(|m| slice(m, ptr, len as usize))
    else {
        return ret(errno::FAULT);
    };
    match getrandom::fill(buf) {
        Ok(()) => ret(errno::SUCCESS),
        Err(_) => ret(errno::NOTSUP),
    }
}

/// `environ_sizes_get` / `args_sizes_get`: zero entries, zero bytes.
fn sizes_get<T: WasiView>(caller: &mut Caller<'_, T>, args: &[Value]) -> Result<HostAction, Trap> {
    let Some(mem) = caller.memory_mut() else {
        return ret(errno::FAULT);
    };
    for ptr in [arg(args, 0), arg(args, 1)] {
        if write_bytes(mem, ptr, &0u32.to_le_bytes()).is_none() {
            return ret(errno::FAULT);
        }
    }
    ret(errno::SUCCESS)
}

/// Subscription (48 bytes): userdata u64 @0, tag u8 @8, clock id u32 @16, timeout u64 @24,
/// precision u64 @32, flags u16 @40 (bit 0: absolute). Event (32 bytes): userdata u64 @0,
/// error u16 @8, type u8 @10. Sleeps until the earliest clock deadline, then reports every
/// subscription: clocks as fired, others with `ENOTSUP`.
fn poll_oneoff<T: WasiView>(
    caller: &mut Caller<'_, T>,
    args: &[Value],
) -> Result<HostAction, Trap> {
    let (input, output, n, nevents) = (arg(args, 0), arg(args, 1), arg(args, 2), arg(args, 3));
    if n == 0 {
        return ret(errno::INVAL);
    }
    let mut subs = Vec::new();
    {
        let Some(mem) = caller.memory_mut() else {
            return ret(errno::FAULT);
        };
        for i in 0..n {
            let Some(sub) = slice(mem, input.wrapping_add(i.wrapping_mul(48)), 48) else {
                return ret(errno::FAULT);
            };
            let u64_at =
                |o: usize| u64::from_le_bytes(sub[o..o + 8].try_into().unwrap_or_default());
            let id = u32::from_le_bytes(sub[16..20].try_into().unwrap_or_default());
            subs.push((u64_at(0), sub[8], id, u64_at(24), sub[40] & 1 != 0));
        }
    }
    let mut wait = u64::MAX;
    for &(_, tag, id, timeout, absolute) in &subs {
        if tag == 0 {
            let rel = if absolute {
                timeout.saturating_sub(now(caller, id).unwrap_or(0))
            } else {
                timeout
            };
            wait = wait.min(rel);
        }
    }
    if wait != u64::MAX {
        std::thread::sleep(Duration::from_nanos(wait));
    }
    let Some(mem) = caller.memory_mut() else {
        return ret(errno::FAULT);
    };
    for (i, &(userdata, tag, ..)) in subs.iter().enumerate() {
        let mut event = [0u8; 32];
        event[..8].copy_from_slice(&userdata.to_le_bytes());
        let error = if tag == 0 {
            errno::SUCCESS
        } else {
            errno::NOTSUP
        } as u16;
        event[8..10].copy_from_slice(&error.to_le_bytes());
        event[10] = tag;
        if write_bytes(mem, output.wrapping_add(i as u32 * 32), &event).is_none() {
            return ret(errno::FAULT);
        }
    }
    match write_bytes(mem, nevents, &n.to_le_bytes()) {
        Some(()) => ret(errno::SUCCESS),
        None => ret(errno::FAULT),
    }
}
