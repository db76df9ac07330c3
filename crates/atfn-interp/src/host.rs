//! Host functions: closures the embedder links as imports. A host function receives a
//! [`Caller`] (the store, its data and the calling instance: read/write memory, call guest
//! exports re-entrantly) and the arguments, and returns results, a trap, or a request to
//! suspend; a suspended host call is completed by [`crate::Store::resume`] with its results.

use std::sync::Arc;

use crate::Outcome;
use crate::error::{Error, Trap};
use crate::store::{Instance, Store};
use crate::value::{FuncType, Value};

/// What a host function asks the engine to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostAction {
    /// Return these results (must match the function type's results).
    Return(Vec<Value>),
    /// Suspend the whole call with [`crate::SuspendReason::HostCall`] carrying this code;
    /// [`crate::Store::resume`] later supplies the results. Only allowed when the host
    /// function was not itself reached through a re-entrant call.
    Suspend(u32),
}

/// The closure type of host functions.
pub type HostFn<T> =
    dyn Fn(&mut Caller<'_, T>, &[Value]) -> Result<HostAction, Trap> + Send + Sync + 'static;

/// A host function with its type and the import name it was linked under.
pub(crate) struct HostFunc<T> {
    pub ty: FuncType,
    pub module: String,
    pub name: String,
    pub f: Arc<HostFn<T>>,
}

impl<T> Clone for HostFunc<T> {
    fn clone(&self) -> Self {
        Self {
            ty: self.ty.clone(),
            module: self.module.clone(),
            name: self.name.clone(),
            f: self.f.clone(),
        }
    }
}

/// The view a host function gets of its caller.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<Instance>,
}

impl<T> Caller<'_, T> {
    /// The embedder's data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// The calling instance (`None` when the host function was called directly by the
    /// embedder).
    pub fn instance(&self) -> Option<Instance> {
        self.instance
    }

    /// Memory 0 of the calling instance, if any.
    pub fn memory(&self) -> Option<&[u8]> {
        self.store.memory(self.instance?)
    }

    /// Memory 0 of the calling instance, mutably, if any.
    pub fn memory_mut(&mut self) -> Option<&mut [u8]> {
        self.store.memory_mut(self.instance?)
    }

    /// Calls the calling instance's export `name` re-entrantly and returns its results.
    ///
    /// Errors: [`Error::ExportNotFound`], [`Error::TypeMismatch`], traps, and
    /// [`Error::SuspendInReentrantCall`] if the callee reaches a safe-point stop or a host
    /// suspension (only the outermost call can suspend).
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
        let instance = self
            .instance
            .ok_or_else(|| Error::ExportNotFound(name.into()))?;
        match self.store.call(instance, name, args)? {
            Outcome::Finished(values) => Ok(values),
            Outcome::Suspended(reason) => Err(Error::SuspendInReentrantCall(reason)),
        }
    }
}
