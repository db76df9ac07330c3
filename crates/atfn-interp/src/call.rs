//! Calling and resuming: the driver around the executor. It pushes arguments, sets up the
//! entry frame, runs the executor, performs host calls it hands out, and turns
//! safe-point stops and host suspensions into [`Outcome::Suspended`] (outermost call only).
//! Traps unwind the stacks to where the call began.

use crate::error::{Error, Trap};
use crate::exec::{Executor, Exit};
use crate::host::{Caller, HostAction};
use crate::module::ExportIndex;
use crate::stack::{Frame, reserve};
use crate::store::{FuncEntity, Instance, Store, SuspendReason, Suspension};
use crate::value::{ValType, Value};

/// How a call ended without error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The function returned these results.
    Finished(Vec<Value>),
    /// The call stopped at a safe point or in a host call; continue it with
    /// [`Store::resume`] (or snapshot the store first).
    Suspended(SuspendReason),
}

/// Pushes `values` after checking them against `types`.
fn push_values(
    cells: &mut Vec<u64>,
    sp: &mut usize,
    max: usize,
    types: &[ValType],
    values: &[Value],
) -> Result<(), Error> {
    if types.len() != values.len() || types.iter().zip(values).any(|(t, v)| *t != v.ty()) {
        return Err(Error::TypeMismatch {
            expected: types.to_vec(),
            got: values.iter().map(Value::ty).collect(),
        });
    }
    if !reserve(cells, *sp + values.len(), max) {
        return Err(Trap::StackExhausted.into());
    }
    for v in values {
        cells[*sp] = v.to_cell();
        *sp += 1;
    }
    Ok(())
}

impl<T> Store<T> {
    /// Calls the exported function `name` of `instance` with `args`.
    ///
    /// Errors: [`Error::ExportNotFound`], [`Error::TypeMismatch`] (arguments),
    /// [`Error::WrongState`] while a call is suspended, [`Error::Trap`] (the stacks are
    /// unwound; the store stays usable).
    pub fn call(
        &mut self,
        instance: Instance,
        name: &str,
        args: &[Value],
    ) -> Result<Outcome, Error> {
        if self.inner.suspended.is_some() {
            return Err(Error::WrongState("suspended; resume it first"));
        }
        let addr = self
            .export_func(instance, name)
            .ok_or_else(|| Error::ExportNotFound(name.into()))?;
        self.call_func(addr, args)
    }

    /// Store address of the exported function `name`.
    pub(crate) fn export_func(&self, instance: Instance, name: &str) -> Option<u32> {
        let inst = self.inner.instances.get(instance.0 as usize)?;
        match inst.module.inner.exports.get(name)? {
            ExportIndex::Func(i) => Some(inst.funcs[*i as usize]),
            _ => None,
        }
    }

    /// Calls store function `addr`; see [`Store::call`].
    pub(crate) fn call_func(&mut self, addr: u32, args: &[Value]) -> Result<Outcome, Error> {
        let ty = self.engine.func_type(self.inner.funcs[addr as usize].ty());
        let entry_depth = self.inner.stack.frames.frames.len();
        let entry_sp = self.inner.stack.values.sp;
        let max = self.inner.limits.max_value_cells as usize;
        let values = &mut self.inner.stack.values;
        push_values(&mut values.cells, &mut values.sp, max, &ty.params, args)?;
        if self.inner.host_depth == 0 {
            self.inner.call_results = ty.results.clone();
        }
        let result = match self.inner.funcs[addr as usize].clone() {
            FuncEntity::Wasm { code, .. } => {
                let stack = &mut self.inner.stack;
                let limits = &self.inner.limits;
                match crate::exec::frame_setup(
                    &mut stack.values.cells,
                    stack.values.sp,
                    stack.frames.frames.len(),
                    limits,
                    &code,
                ) {
                    Ok((base, sp)) => {
                        stack.values.sp = sp;
                        stack.frames.frames.push(Frame {
                            func: addr,
                            pc: 0,
                            base: base as u32,
                        });
                        self.drive(entry_depth, entry_sp, &ty.results)
                    }
                    Err(trap) => Err(trap.into()),
                }
            }
            FuncEntity::Host { .. } => match self.call_host(addr) {
                Ok(None) => self.drive(entry_depth, entry_sp, &ty.results),
                Ok(Some(reason)) => self.suspend(Suspension::Host { func: addr, reason }),
                Err(e) => Err(e),
            },
        };
        if result.is_err() {
            self.inner.stack.frames.frames.truncate(entry_depth);
            self.inner.stack.values.sp = entry_sp;
        }
        result
    }

    /// Continues a suspended call. `results` are the pending host call's results, or empty
    /// after a safe-point stop.
    ///
    /// Errors: [`Error::WrongState`] if nothing is suspended, [`Error::TypeMismatch`] if
    /// `results` do not match, plus everything [`Store::call`] returns.
    pub fn resume(&mut self, results: &[Value]) -> Result<Outcome, Error> {
        let suspension = self
            .inner
            .suspended
            .take()
            .ok_or(Error::WrongState("not suspended"))?;
        let expected = match &suspension {
            Suspension::SafePoint(_) => Vec::new(),
            Suspension::Host { func, .. } => {
                self.engine
                    .func_type(self.inner.funcs[*func as usize].ty())
                    .results
            }
        };
        let max = self.inner.limits.max_value_cells as usize;
        let values = &mut self.inner.stack.values;
        if let Err(e) = push_values(&mut values.cells, &mut values.sp, max, &expected, results) {
            self.inner.suspended = Some(suspension);
            return Err(e);
        }
        let call_results = self.inner.call_results.clone();
        let result = self.drive(0, 0, &call_results);
        if result.is_err() {
            self.inner.stack.frames.frames.clear();
            self.inner.stack.values.sp = 0;
        }
        result
    }

    /// Records a suspension, or refuses it inside a re-entrant call.
    fn suspend(&mut self, suspension: Suspension) -> Result<Outcome, Error> {
        let reason = match &suspension {
            Suspension::SafePoint(r) | Suspension::Host { reason: r, .. } => r.clone(),
        };
        if self.inner.host_depth > 0 {
            return Err(Error::SuspendInReentrantCall(reason));
        }
        self.inner.suspended = Some(suspension);
        Ok(Outcome::Suspended(reason))
    }

    /// Runs the executor until the invocation at `entry_depth` finishes or suspends.
    fn drive(
        &mut self,
        entry_depth: usize,
        entry_sp: usize,
        results: &[ValType],
    ) -> Result<Outcome, Error> {
        loop {
            match Executor::run(&mut self.inner, &self.interrupt, entry_depth)? {
                Exit::Finished => {
                    let values = &mut self.inner.stack.values;
                    let start = values.sp - results.len();
                    let out = results
                        .iter()
                        .zip(&values.cells[start..values.sp])
                        .map(|(t, c)| Value::from_cell(*t, *c))
                        .collect();
                    values.sp = entry_sp;
                    return Ok(Outcome::Finished(out));
                }
                Exit::Host(addr) => {
                    if let Some(reason) = self.call_host(addr)? {
                        return self.suspend(Suspension::Host { func: addr, reason });
                    }
                }
                Exit::Suspend(reason) => return self.suspend(Suspension::SafePoint(reason)),
            }
        }
    }

    /// Calls host function `addr` with the arguments on top of the value stack and pushes
    /// its results. Returns the suspend reason if it asked to suspend.
    fn call_host(&mut self, addr: u32) -> Result<Option<SuspendReason>, Error> {
        let FuncEntity::Host { host, .. } = self.inner.funcs[addr as usize] else {
            return Err(Error::WrongState("calling a non-host function as host"));
        };
        let hf = self.host_funcs[host as usize].clone();
        let values = &mut self.inner.stack.values;
        let n = hf.ty.params.len();
        let start = values.sp - n;
        let args: Vec<Value> = hf
            .ty
            .params
            .iter()
            .zip(&values.cells[start..values.sp])
            .map(|(t, c)| Value::from_cell(*t, *c))
            .collect();
        values.sp = start;
        let instance = self.inner.stack.frames.frames.last().and_then(|f| {
            match self.inner.funcs[f.func as usize] {
                FuncEntity::Wasm { instance, .. } => Some(Instance(instance)),
                FuncEntity::Host { .. } => None,
            }
        });
        self.inner.host_depth += 1;
        let action = (hf.f)(
            &mut Caller {
                store: self,
                instance,
            },
            &args,
        );
        self.inner.host_depth -= 1;
        match action? {
            HostAction::Return(results) => {
                let max = self.inner.limits.max_value_cells as usize;
                let values = &mut self.inner.stack.values;
                push_values(
                    &mut values.cells,
                    &mut values.sp,
                    max,
                    &hf.ty.results,
                    &results,
                )?;
                Ok(None)
            }
            HostAction::Suspend(code) => Ok(Some(SuspendReason::HostCall {
                module: hf.module.clone(),
                name: hf.name.clone(),
                code,
            })),
        }
    }
}
