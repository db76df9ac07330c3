//! The interrupt handle: one shared atomic that the executor reads at every safe point
//! (loop back-edge taken, function call). Another thread stores a reason into it; the
//! running call then suspends at its next safe point with that reason.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::store::SuspendReason;

const NONE: u8 = 0;
const DEADLINE: u8 = 1;
const SUSPEND: u8 = 2;

/// Cloneable, `Send + Sync` handle to stop a store's running call at the next safe point.
#[derive(Debug, Clone, Default)]
pub struct InterruptHandle {
    flag: Arc<AtomicU8>,
}

impl InterruptHandle {
    /// Asks the running (or next) call to suspend with [`SuspendReason::SuspendRequested`].
    pub fn request_suspend(&self) {
        self.flag.store(SUSPEND, Ordering::Relaxed);
    }

    /// Asks the running (or next) call to suspend with [`SuspendReason::Deadline`].
    pub fn deadline_reached(&self) {
        self.flag.store(DEADLINE, Ordering::Relaxed);
    }

    /// Whether a request is pending (cheap; one relaxed load).
    #[inline(always)]
    pub(crate) fn is_set(&self) -> bool {
        is_pending(&self.flag)
    }

    /// The shared flag itself, for the hot path to keep at hand ([`is_pending`]).
    pub(crate) fn flag(&self) -> &AtomicU8 {
        &self.flag
    }

    /// Takes the pending request, clearing the flag.
    pub(crate) fn take(&self) -> Option<SuspendReason> {
        match self.flag.swap(NONE, Ordering::Relaxed) {
            DEADLINE => Some(SuspendReason::Deadline),
            SUSPEND => Some(SuspendReason::SuspendRequested),
            _ => None,
        }
    }
}

/// Whether a request is pending on `flag`, an [`InterruptHandle::flag`].
#[inline(always)]
pub(crate) fn is_pending(flag: &AtomicU8) -> bool {
    flag.load(Ordering::Relaxed) != NONE
}
