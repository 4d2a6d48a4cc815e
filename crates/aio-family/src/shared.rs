//! What the families of one run share: one value of each type, made once
//! (the run's netlink connection, the VIP Kolla chose). The run owns it;
//! a family reaches it through its [`Context`](crate::Context) or
//! [`Probe`](crate::Probe) and stores only its own types there, so this
//! crate knows none of them.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

type Slot = Arc<dyn Any + Send + Sync>;

/// One value per type for the length of a run.
#[derive(Default)]
pub struct Shared {
    slots: Mutex<HashMap<TypeId, Slot>>,
}

impl Shared {
    pub fn new() -> Shared {
        Shared::default()
    }

    /// The run's `T`, if one was stored.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        let slot = self.slots().get(&TypeId::of::<T>())?.clone();
        slot.downcast::<T>().ok()
    }

    /// Stores `value` as the run's `T`, in place of any before it.
    pub fn put<T: Any + Send + Sync>(&self, value: T) -> Arc<T> {
        let value = Arc::new(value);
        self.slots().insert(TypeId::of::<T>(), value.clone());
        value
    }

    /// The run's `T`; the first time, made by `open`. A failed `open`
    /// stores nothing, so the next caller tries again.
    pub async fn get_or_open<T, E>(
        &self,
        open: impl Future<Output = Result<T, E>>,
    ) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
    {
        if let Some(value) = self.get::<T>() {
            return Ok(value);
        }
        let value = Arc::new(open.await?);
        // Whoever stored one while `open` ran wins: there is one `T` per run.
        let mut slots = self.slots();
        let theirs = slots.get(&TypeId::of::<T>()).cloned();
        match theirs.and_then(|slot| slot.downcast::<T>().ok()) {
            Some(theirs) => Ok(theirs),
            None => {
                slots.insert(TypeId::of::<T>(), value.clone());
                Ok(value)
            }
        }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<TypeId, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Connection(u32);

    #[tokio::test]
    async fn one_value_per_type_is_opened_once_and_then_shared() {
        let shared = Shared::new();
        let first = shared
            .get_or_open(async { Ok::<_, ()>(Connection(1)) })
            .await
            .unwrap();
        let second = shared
            .get_or_open(async { Ok::<_, ()>(Connection(2)) })
            .await
            .unwrap();
        assert_eq!(*second, Connection(1));
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(shared.get::<String>(), None);
    }

    #[tokio::test]
    async fn a_failed_open_stores_nothing() {
        let shared = Shared::new();
        let failed = shared
            .get_or_open(async { Err::<Connection, _>("refused") })
            .await;
        assert_eq!(failed.err(), Some("refused"));
        assert!(shared.get::<Connection>().is_none());
        shared.put(Connection(3));
        assert_eq!(shared.get::<Connection>().as_deref(), Some(&Connection(3)));
    }
}
